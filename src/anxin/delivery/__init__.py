"""Actions leave anxin: outbox messages delivered as signed webhooks, or pulled by cursor.

Pure parts: ``topics`` (the known message types), ``messages`` (each type's body as a struct,
its published JSON Schema), ``backoff`` (the retry schedule), ``envelope`` (the bytes sent and
their Standard Webhooks signature). Edge parts: ``store`` (endpoints, deliveries, the sequencer,
pull), ``sender`` (aiohttp), ``dispatcher`` (claim, send, record), ``cli``, ``bench``.
"""
