"""Sends one message with Python's smtplib and prints what happened, one fact per line.

Used by PythonSmtplibTests. Output lines:
  tls <version>                    the negotiated TLS protocol
  sent                             the server accepted the message
  error <exception> <code> <text>  smtplib raised an SMTP error
"""

import argparse
import smtplib
import ssl
import sys
from email.message import EmailMessage


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["plain", "starttls", "implicit"], default="plain")
    p.add_argument("--cafile")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--to", default="bob@example.com")
    p.add_argument("--subject", default="from smtplib")
    args = p.parse_args()

    msg = EmailMessage()
    msg["From"] = "alice@example.org"
    msg["To"] = args.to
    msg["Subject"] = args.subject
    msg.set_content("Hello from Python.")

    context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    try:
        if args.mode == "implicit":
            smtp = smtplib.SMTP_SSL("127.0.0.1", args.port, local_hostname="py.test",
                                    timeout=10, context=context)
        else:
            smtp = smtplib.SMTP("127.0.0.1", args.port, local_hostname="py.test", timeout=10)
        with smtp:
            if args.mode == "starttls":
                smtp.starttls(context=context)
            if args.mode != "plain":
                print("tls", smtp.sock.version(), flush=True)
            if args.user:
                smtp.login(args.user, args.password)
            smtp.send_message(msg, from_addr="alice@example.org", to_addrs=args.to.split(","))
            print("sent", flush=True)
    except smtplib.SMTPRecipientsRefused as e:
        for rcpt, (code, text) in e.recipients.items():
            print("error", type(e).__name__, code, text.decode(), flush=True)
    except smtplib.SMTPResponseException as e:
        print("error", type(e).__name__, e.smtp_code, e.smtp_error.decode(), flush=True)
    except smtplib.SMTPException as e:
        print("error", type(e).__name__, 0, str(e).replace("\n", " "), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
