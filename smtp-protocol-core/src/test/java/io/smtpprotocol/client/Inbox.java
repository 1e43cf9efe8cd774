package io.smtpprotocol.client;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A server handler that keeps what it receives; recipients at {@code refused.test} are refused. */
class Inbox implements SmtpHandler {

  record Received(SessionInfo session, Envelope envelope, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();

  @Override
  public CompletionStage<Decision> rcptTo(
      SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
    return (to.domain().equals("refused.test")
            ? Decision.reject(550, "5.1.1", "no such user")
            : Decision.accept())
        .asStage();
  }

  @Override
  public CompletionStage<Decision> message(
      SessionInfo session, Envelope envelope, MessageBody body) {
    try {
      messages.add(new Received(session, envelope, body.readAllBytes()));
      return Decision.acceptStage();
    } catch (IOException e) {
      return Decision.reject(451, "4.3.0", "body failed").asStage();
    }
  }

  Received take() throws InterruptedException {
    Received r = messages.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no message within 10 seconds");
    }
    return r;
  }
}
