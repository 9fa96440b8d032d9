"""Drives Stoa with Debian's python3-caldav as a real client and prints what it saw as JSON.

Usage: caldav_client.py BASE_URL USER PASSWORD
The events are generated here, and the expected answer of every time-range query is computed here
by plain date arithmetic (no iCalendar library), so the test checks the server's recurrence
expansion against an independent one.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

import caldav

base, user, password = sys.argv[1:4]
UTC = timezone.utc
EPOCH = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)


def stamp(t):
    return t.strftime('%Y%m%dT%H%M%SZ')


def vevent(uid, start, extra=''):
    return (f'BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{stamp(start)}\r\n'
            f'DTEND:{stamp(start + HOUR)}\r\nSUMMARY:{uid}\r\n{extra}END:VEVENT\r\n')


def calendar(*events):
    return 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//caldav-client//EN\r\n' + ''.join(events) + 'END:VCALENDAR\r\n'


# 450 single events, one every 7 hours; 50 weekly series of 10 with one instance excluded and
# another moved by a day. `instances` holds every instance start, by UID.
objects, instances = {}, {}
for i in range(450):
    uid, start = f'single-{i}', EPOCH + i * 7 * HOUR
    objects[uid] = calendar(vevent(uid, start))
    instances[uid] = [start]
for i in range(50):
    uid, start = f'weekly-{i}', EPOCH + i * 13 * HOUR
    week = timedelta(days=7)
    excluded, moved = start + 3 * week, start + 5 * week
    master = vevent(uid, start, f'RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE:{stamp(excluded)}\r\n')
    override = vevent(uid, moved + timedelta(days=1), f'RECURRENCE-ID:{stamp(moved)}\r\n')
    objects[uid] = calendar(master, override)
    starts = [start + n * week for n in range(10)]
    instances[uid] = [t + timedelta(days=1) if t == moved else t for t in starts if t != excluded]


def expected(range_start, range_end):
    return sorted(uid for uid, starts in instances.items() if any(t < range_end and t + HOUR > range_start for t in starts))


client = caldav.DAVClient(url=f'{base}/.well-known/caldav', username=user, password=password)
principal = client.principal()
out = {'principal': str(principal.url), 'home': str(principal.calendar_home_set.url)}
out['calendarsBefore'] = sorted(str(c.url) for c in principal.calendars())
work = principal.make_calendar(name='Work', cal_id='work')
out['calendarsAfter'] = sorted(str(c.url) for c in principal.calendars())
out['workName'] = work.get_display_name()

for uid, ics in objects.items():
    work.save_event(ics)

ranges = [
    (datetime(2027, 1, 10, tzinfo=UTC), datetime(2027, 1, 17, tzinfo=UTC)),
    (datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)),
    (datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 3, 21, tzinfo=UTC)),
]
out['queries'] = []
for start, end in ranges:
    found = work.date_search(start=start, end=end, compfilter='VEVENT', expand=False)
    uids = sorted(str(e.vobject_instance.vevent.uid.value) for e in found)
    out['queries'].append({'range': [stamp(start), stamp(end)], 'found': uids, 'expected': expected(start, end)})

# Free-busy over one day: the busy periods the script expects are every instance in it, clipped
# to the day and merged where they overlap or touch.
day_start, day_end = EPOCH - 9 * HOUR, EPOCH + 15 * HOUR
busy = sorted((max(t, day_start), min(t + HOUR, day_end)) for starts in instances.values() for t in starts if t < day_end and t + HOUR > day_start)
merged = []
for start, end in busy:
    if merged and start <= merged[-1][1]:
        merged[-1] = (merged[-1][0], max(merged[-1][1], end))
    else:
        merged.append((start, end))
freebusy = work.freebusy_request(day_start, day_end)
out['freebusy'] = {
    'found': [line.split(':', 1)[1] for line in str(freebusy.data).splitlines() if line.startswith('FREEBUSY')],
    'expected': [f'{stamp(start)}/{stamp(end)}' for start, end in merged],
}

# Server-side expansion of one series over its whole life: every instance, the moved one moved.
series = work.date_search(start=EPOCH - timedelta(days=1), end=EPOCH + timedelta(days=90), compfilter='VEVENT', expand=True)
expanded = sorted(stamp(v.dtstart.value.astimezone(UTC)) for e in series for v in e.vobject_instance.vevent_list
                  if v.uid.value == 'weekly-0' and 'rrule' not in v.contents)
out['expanded'] = {'found': expanded, 'expected': sorted(stamp(t) for t in instances['weekly-0'])}

first = work.objects_by_sync_token()
out['firstSyncCount'] = len(list(first))
token = first.sync_token
changed = work.event_by_uid('single-1')
changed.data = calendar(vevent('single-1', EPOCH + 1000 * HOUR))
changed.save()
work.event_by_uid('single-2').delete()
delta = work.objects_by_sync_token(sync_token=token, load_objects=True)
out['delta'] = sorted(str(o.url).rsplit('/', 1)[1] for o in delta)
out['deltaLoaded'] = sorted(str(o.vobject_instance.vevent.uid.value) for o in delta if o.data)
out['tokenMoved'] = delta.sync_token != token
print(json.dumps(out))
