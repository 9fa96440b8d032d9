"""Drives Stoa with Python's smtplib for the jest tests: runs the steps given as JSON on stdin
and prints one JSON list with each step's result. A refused step records the server's answer
instead of stopping, so a test can check that the session goes on."""
import json
import smtplib
import ssl
import sys


def main():
    spec = json.load(sys.stdin)
    context = ssl._create_unverified_context()
    if spec['mode'] == 'ssl':
        client = smtplib.SMTP_SSL(spec['host'], spec['port'], timeout=60, context=context)
    elif spec['mode'] == 'lmtp':
        client = smtplib.LMTP(spec['host'], spec['port'], timeout=60)
    else:
        client = smtplib.SMTP(spec['host'], spec['port'], timeout=60)
    results = []
    for step in spec['steps']:
        name, args = step[0], step[1:]
        try:
            if name == 'ehlo':
                code, text = client.ehlo()
                results.append({'code': code, 'text': text.decode(), 'features': sorted(client.esmtp_features.keys())})
            elif name == 'starttls':
                code, text = client.starttls(context=context)
                results.append({'code': code, 'text': text.decode()})
            elif name == 'login':
                code, text = client.login(args[0], args[1])
                results.append({'code': code, 'text': text.decode()})
            elif name == 'docmd':
                code, text = client.docmd(args[0])
                results.append({'code': code, 'text': text.decode()})
            elif name == 'sendmail':
                refused = client.sendmail(args[0], args[1], args[2].encode())
                results.append({'code': 250, 'refused': {k: [v[0], v[1].decode()] for k, v in refused.items()}})
            elif name == 'noop':
                code, text = client.noop()
                results.append({'code': code, 'text': text.decode()})
            else:
                raise ValueError('unknown step ' + name)
        except smtplib.SMTPRecipientsRefused as error:
            results.append({'code': 550, 'refused': {k: [v[0], v[1].decode()] for k, v in error.recipients.items()}})
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode() if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
            results.append({'code': error.smtp_code, 'text': text})
        except smtplib.SMTPException as error:
            results.append({'code': 0, 'text': type(error).__name__ + ': ' + str(error)})
    try:
        client.quit()
    except smtplib.SMTPException:
        pass
    print(json.dumps(results))


main()
