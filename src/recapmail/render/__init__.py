"""Digest -> outputs: the email (MJML, HTML, text, .eml) and the social posts."""
