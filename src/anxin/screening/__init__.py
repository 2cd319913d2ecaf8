"""Listing screening (issue 15): rules as pack data over a listing's title, description,
attributes, category and price, each hit naming its rule and the span of text."""
