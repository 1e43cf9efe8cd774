package io.smtpprotocol.server;

import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;

/**
 * HELO and EHLO: the client introduces itself and starts over. The transaction is dropped, the
 * handler decides, and an accepted greeting is remembered in the session's info.
 */
final class HelloStep {

  private final SmtpSession session;
  private final SessionHost host;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final MessageIntake intake;
  private final XclientStep xclient;

  HelloStep(
      SmtpSession session,
      SessionHost host,
      ReplyWriter out,
      HandlerCalls calls,
      MessageIntake intake,
      XclientStep xclient) {
    this.session = session;
    this.host = host;
    this.out = out;
    this.calls = calls;
    this.intake = intake;
    this.xclient = xclient;
  }

  void hello(Command.Hello hello) {
    intake.reset();
    SessionInfo snapshot = session.info();
    calls.decide(
        Event.GREETING,
        h -> h.greeting(snapshot, hello),
        d -> {
          if (d.accepted()) {
            SessionInfo info = session.info(SessionInfos.greeted(session.info(), hello));
            Reply greeting =
                hello.extended()
                    ? xclient.ehlo(host.ehloReply(info.tls() != null), info)
                    : host.heloReply();
            out.write(d.replyOr(greeting, Replies.OK), hello.kind());
          } else {
            out.write(d.replyOr(Replies.OK, Replies.HELLO_REJECTED), hello.kind());
          }
          session.next();
        });
  }
}
