"""Drives an SMTP server over TLS with AUTH using Python's smtplib; prints one fact per line.

Used by ExternalTlsClientTests. Output lines (UTF-8):
  tls <version> <cipher>          the negotiated TLS session
  auth <code> <text>              the server's answer to AUTH
  error <exception> <code> <text> an SMTP error smtplib raised
  result ok                       the run completed without an SMTP error
"""

import argparse
import smtplib
import ssl
import sys


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def line(*parts):
    print(" ".join(text(p).replace("\r", " ").replace("\n", " ") for p in parts), flush=True)


def main():
    sys.stdout.reconfigure(encoding="utf-8")
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--implicit", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--mechanism", help="AUTH with this mechanism instead of login()'s choice")
    p.add_argument("--from", dest="sender", default="alice@example.com")
    p.add_argument("--to", default="bob@example.com")
    p.add_argument("--body", default="Subject: over TLS\r\n\r\nhello\r\n")
    args = p.parse_args()

    context = ssl.create_default_context(cafile=args.cafile)
    if args.implicit:
        smtp = smtplib.SMTP_SSL("127.0.0.1", args.port, local_hostname="client.test",
                                timeout=10, context=context)
    else:
        smtp = smtplib.SMTP("127.0.0.1", args.port, local_hostname="client.test", timeout=10)
    with smtp:
        try:
            smtp.ehlo()
            if not args.implicit:
                smtp.starttls(context=context)
                smtp.ehlo()
            line("tls", smtp.sock.version(), smtp.sock.cipher()[0])
            if args.user:
                if args.mechanism:
                    smtp.user, smtp.password = args.user, args.password
                    method = getattr(smtp, "auth_" + args.mechanism.lower().replace("-", "_"))
                    code, reply = smtp.auth(args.mechanism, method)
                else:
                    code, reply = smtp.login(args.user, args.password)
                line("auth", code, reply)
            smtp.sendmail(args.sender, [args.to], args.body.encode("utf-8"))
            line("result", "ok")
        except smtplib.SMTPResponseException as e:
            line("error", type(e).__name__, e.smtp_code, e.smtp_error)


if __name__ == "__main__":
    main()
