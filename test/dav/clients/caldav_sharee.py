"""Lists, as python3-caldav sees them, the calendars of a user and the events in each, as JSON.

Usage: caldav_sharee.py BASE_URL USER PASSWORD
Used to check that a calendar shared with the user is discovered from /.well-known/caldav like
one of their own, and that its events can be read.
"""
import json
import sys

import caldav

base, user, password = sys.argv[1:4]
client = caldav.DAVClient(url=f'{base}/.well-known/caldav', username=user, password=password)
calendars = []
for cal in client.principal().calendars():
    summaries = sorted(str(e.vobject_instance.vevent.summary.value) for e in cal.events())
    calendars.append({'url': str(cal.url), 'name': cal.get_display_name(), 'events': summaries})
print(json.dumps(sorted(calendars, key=lambda c: c['url'])))
