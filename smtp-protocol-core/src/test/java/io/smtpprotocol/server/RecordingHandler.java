package io.smtpprotocol.server;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A handler that accepts and records every message, like MockWebServer's {@code takeRequest()}. */
class RecordingHandler implements SmtpHandler {

  /** A received message. */
  record Received(SessionInfo session, Envelope envelope, byte[] body) {
    String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
  final BlockingQueue<Throwable> bodyFailures = new LinkedBlockingQueue<>();
  volatile Predicate<Mailbox> recipientFilter = m -> true;

  @Override
  public CompletionStage<Decision> rcptTo(
      SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
    return (recipientFilter.test(to) ? Decision.accept() : Decision.reject()).asStage();
  }

  @Override
  public CompletionStage<Decision> message(
      SessionInfo session, Envelope envelope, MessageBody body) {
    try {
      byte[] bytes = body.readAllBytes();
      messages.add(new Received(session, envelope, bytes));
      return Decision.acceptStage();
    } catch (IOException e) {
      bodyFailures.add(e);
      return Decision.reject(451, "4.3.0", "body failed").asStage();
    }
  }

  /** Waits up to five seconds for the next message. */
  Received takeMessage() throws InterruptedException {
    Received r = messages.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no message received within 5 seconds");
    }
    return r;
  }

  /** The next message if one arrives within {@code wait}, else null. */
  Received pollMessage(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
