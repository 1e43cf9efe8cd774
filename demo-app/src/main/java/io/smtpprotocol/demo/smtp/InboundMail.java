package io.smtpprotocol.demo.smtp;

import io.smtpprotocol.demo.maildir.Delivery;
import io.smtpprotocol.demo.maildir.MaildirStore;
import io.smtpprotocol.demo.maildir.StoredMessage;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Delivers each message into the Maildir before answering, so that a {@code 250} means the message
 * is on disk. Recipients outside {@code demo.domains} never get here: the server refuses them
 * itself ({@code smtp.server.accepted-domains} in {@code application.properties}).
 */
@Component
class InboundMail {

  private final MaildirStore store;

  InboundMail(MaildirStore store) {
    this.store = store;
  }

  /**
   * Delivers the message while it streams in. If the body fails (too large, connection lost) the
   * store removes what it wrote and the engine answers with its error reply.
   */
  @SmtpListener(SmtpEvent.MESSAGE)
  Decision message(SessionInfo session, Envelope envelope, InputStream body) throws IOException {
    List<String> recipients = envelope.mailboxes().stream().map(Mailbox::address).toList();
    Delivery delivery =
        new Delivery(
            envelope.from().address(),
            recipients,
            remoteAddress(session),
            session.remoteInetAddress().map(InetSocketAddress::getPort).orElse(null),
            session.isTls(),
            session.authenticatedUser(),
            Instant.now());
    StoredMessage stored = store.deliver(delivery, body);
    return Decision.accept(250, "Ok: stored as " + stored.id());
  }

  private static String remoteAddress(SessionInfo session) {
    return session
        .remoteInetAddress()
        .map(InetSocketAddress::getAddress)
        .map(address -> address.getHostAddress())
        .orElse(String.valueOf(session.remoteAddress()));
  }
}
