"""The pages people look at (issue 17), served by the API's app: the consumer's guarantee hall,
the merchant portal and the operator console, server-rendered (Jinja2) in Chinese and English
with light interactivity (Alpine.js, Chart.js from npm, served from this machine).

- :mod:`~anxin.web.session`: who is looking (a signed-in key's cookie, or an order's link
  token) and the pages' own answers to the wrong one;
- :mod:`~anxin.web.i18n`: one glossary for both languages;
- :mod:`~anxin.web.render`: templates, formatting, the language switch;
- :mod:`~anxin.web.routes`: sign-in, assets, the index; each user's pages in their own module.
"""
