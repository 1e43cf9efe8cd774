"""Drives an SMTP server with Python's smtplib and prints what the client saw, one fact per line.

Used by PythonSmtplibTests. Output lines (UTF-8):
  feature <keyword> <value>      an EHLO keyword as smtplib parsed it
  refused <address> <code> <text> a recipient the server refused while the message still went out
  reply <code> <text>            a reply read with the low-level API (bdat mode)
  error <exception> <code> <text> an SMTP error smtplib raised
  result ok                      the mode completed without an SMTP error
"""

import argparse
import smtplib
import sys
from email import policy
from email.message import EmailMessage


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def line(*parts):
    print(" ".join(text(p).replace("\r", " ").replace("\n", " ") for p in parts), flush=True)


def ehlo(smtp):
    code, _ = smtp.ehlo("client.test")
    if code != 250:
        raise smtplib.SMTPHeloError(code, "EHLO refused")
    for keyword, value in smtp.esmtp_features.items():
        line("feature", keyword, value)


def send_mail(smtp, args):
    with open(args.body_file, "rb") as f:
        body = f.read()
    ehlo(smtp)
    refused = smtp.sendmail(args.sender, args.to, body, mail_options=args.mail_option)
    for address, (code, reply) in refused.items():
        line("refused", address, code, reply)


def send_message(smtp, args):
    # Builds the message with smtplib's email package; send_message adds SMTPUTF8 and
    # BODY=8BITMIME by itself when an address is not ASCII.
    msg = EmailMessage(policy=policy.SMTPUTF8)
    msg["From"] = args.sender
    msg["To"] = ", ".join(args.to)
    msg["Subject"] = args.subject
    msg.set_content(args.content)
    ehlo(smtp)
    refused = smtp.send_message(msg)
    for address, (code, reply) in refused.items():
        line("refused", address, code, reply)


def bdat(smtp, args):
    # smtplib has no BDAT command: use its low-level send/getreply, pipelining every chunk
    # (RFC 3030 allows it with PIPELINING), then read one reply per chunk.
    with open(args.body_file, "rb") as f:
        body = f.read()
    ehlo(smtp)
    if not smtp.has_extn("chunking"):
        raise SystemExit("server does not offer CHUNKING")
    code, reply = smtp.mail(args.sender, args.mail_option)
    line("reply", code, reply)
    for rcpt in args.to:
        code, reply = smtp.rcpt(rcpt)
        line("reply", code, reply)
    size = args.chunk_size
    chunks = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    if args.empty_last:
        chunks.append(b"")
    out = b""
    for i, chunk in enumerate(chunks):
        last = b" LAST" if i == len(chunks) - 1 else b""
        out += b"BDAT %d%s\r\n" % (len(chunk), last) + chunk
    smtp.send(out)
    for _ in chunks:
        code, reply = smtp.getreply()
        line("reply", code, reply)


def commands(smtp, args):
    ehlo(smtp)
    for name, call in [("noop", smtp.noop), ("rset", smtp.rset),
                       ("vrfy", lambda: smtp.verify("someone@example.com")),
                       ("expn", lambda: smtp.expn("list")), ("help", lambda: (214, smtp.help()))]:
        code, reply = call()
        line("reply", name, code, reply)


def main():
    sys.stdout.reconfigure(encoding="utf-8")
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["ehlo", "commands", "sendmail", "send_message", "bdat"], required=True)
    p.add_argument("--from", dest="sender", default="")
    p.add_argument("--to", action="append", default=[])
    p.add_argument("--mail-option", action="append", default=[])
    p.add_argument("--body-file")
    p.add_argument("--subject", default="")
    p.add_argument("--content", default="")
    p.add_argument("--chunk-size", type=int, default=1024)
    p.add_argument("--empty-last", action="store_true")
    args = p.parse_args()

    with smtplib.SMTP("127.0.0.1", args.port, local_hostname="client.test", timeout=10) as smtp:
        try:
            if args.mode == "ehlo":
                ehlo(smtp)
            elif args.mode == "commands":
                commands(smtp, args)
            elif args.mode == "sendmail":
                send_mail(smtp, args)
            elif args.mode == "send_message":
                send_message(smtp, args)
            else:
                bdat(smtp, args)
            line("result", "ok")
        except smtplib.SMTPRecipientsRefused as e:
            for address, (code, reply) in e.recipients.items():
                line("refused", address, code, reply)
            line("error", type(e).__name__, 0, "all recipients refused")
        except smtplib.SMTPResponseException as e:
            line("error", type(e).__name__, e.smtp_code, e.smtp_error)


if __name__ == "__main__":
    main()
