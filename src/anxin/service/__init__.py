"""Customer service (issue 14): conversations and SLA clocks, intents of consumer messages,
replies filled with live facts, negative-service findings and proactive pre-identification."""
