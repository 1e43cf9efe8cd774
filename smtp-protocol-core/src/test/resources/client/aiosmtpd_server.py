"""An aiosmtpd server for the client tests: STARTTLS, AUTH PLAIN/LOGIN (alice/wonderland) required,
SMTPUTF8; every message is written to the directory given, one file each, as
'MAIL FROM' line, 'RCPT TO' lines, a blank line, then the content.

usage: aiosmtpd_server.py PORT CERT_PEM KEY_PEM OUT_DIR
Prints 'READY' when listening; stops when standard input closes.
"""
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keep:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.out, "message-%d.txt" % self.count)
        with open(path + ".tmp", "wb") as f:
            f.write(("MAIL FROM " + envelope.mail_from + "\n").encode("utf-8"))
            for rcpt in envelope.rcpt_tos:
                f.write(("RCPT TO " + rcpt + "\n").encode("utf-8"))
            f.write(("TLS " + str(session.ssl is not None) + "\n").encode("utf-8"))
            f.write(("AUTH " + str(session.authenticated) + "\n\n").encode("utf-8"))
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 kept"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == b"alice" and auth_data.password == b"wonderland")
    # handled=False: aiosmtpd then answers a failure with its 535
    return AuthResult(success=ok, handled=False)


def main():
    port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        Keep(out), hostname="127.0.0.1", port=port, server_hostname="aiosmtpd.test",
        tls_context=context, require_starttls=True, auth_required=True,
        authenticator=authenticator, enable_SMTPUTF8=True, decode_data=False)
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
