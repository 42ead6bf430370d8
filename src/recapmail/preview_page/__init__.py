"""What `recapmail preview` shows: output folders read back, the page's views, change watching.

The server itself is recapmail.preview; the page's HTML, CSS and JS live beside these modules
and are inlined into each response, so the page needs nothing but the server.
"""
