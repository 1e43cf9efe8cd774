package io.smtpprotocol.server;

import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.Recipient;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * MAIL and RCPT, the envelope of a transaction, and VRFY. Parameters and recipients are checked
 * against what the server offers, then the handler decides; the envelope changes only when it
 * accepts.
 */
final class EnvelopeStep {

  private final SmtpSession session;
  private final ServerConfig config;
  private final Limits limits;
  private final AuthSettings authSettings;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final MessageIntake intake;

  /** Mail transactions this session has begun, for the per-session limit. */
  private int transactions;

  EnvelopeStep(
      SmtpSession session,
      SessionHost host,
      ReplyWriter out,
      HandlerCalls calls,
      MessageIntake intake) {
    this.session = session;
    this.config = host.config();
    this.limits = config.limits();
    this.authSettings = config.auth();
    this.out = out;
    this.calls = calls;
    this.intake = intake;
  }

  void mailFrom(Command.MailFrom mail) {
    int mailMax = limits.maxMessagesPerSession();
    if (mailMax > 0 && transactions >= mailMax) {
      out.count(Replies.TOO_MANY_MESSAGES, Verb.MAIL);
      session.closeWith(Replies.TOO_MANY_MESSAGES); // RFC 9422 MAILMAX
      return;
    }
    SessionInfo info = session.info();
    Reply refused = checkMailParameters(mail, info);
    if (refused != null) {
      out.write(refused, Verb.MAIL);
      session.next();
      return;
    }
    // RFC 4954 section 5: an unauthenticated client's AUTH= is not trusted.
    MailParameters parameters =
        mail.parameters().has("AUTH") && info.authenticatedUser() == null
            ? mail.parameters().with("AUTH", "<>")
            : mail.parameters();
    calls.decide(
        Event.MAIL_FROM,
        h -> h.mailFrom(info, mail.from(), parameters),
        d -> {
          if (d.accepted()) {
            transactions++;
            intake.begin(Envelope.of(mail.from(), parameters));
          }
          out.write(d.replyOr(Replies.SENDER_OK, Replies.SENDER_REJECTED), Verb.MAIL);
          session.next();
        });
  }

  private @Nullable Reply checkMailParameters(Command.MailFrom mail, SessionInfo info) {
    MailParameters params = mail.parameters();
    Command.Hello hello = info.hello();
    if (!params.isEmpty() && hello != null && !hello.extended()) {
      return Replies.UNKNOWN_PARAMETER; // no ESMTP parameters after HELO
    }
    for (var e : params.values().entrySet()) {
      String keyword = e.getKey();
      String value = e.getValue();
      switch (keyword) {
        case "SIZE":
          if (params.size().isEmpty()) {
            return Replies.SYNTAX_ERROR;
          }
          break;
        case "BODY":
          if (!config.eightBitMime()
              || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
            return Replies.UNKNOWN_PARAMETER;
          }
          break;
        case "SMTPUTF8":
          if (!config.smtpUtf8() || !value.isEmpty()) {
            return Replies.UNKNOWN_PARAMETER;
          }
          break;
        case "RET", "ENVID":
          Reply dsn =
              dsnParameter(
                  keyword.equals("RET")
                      ? params.dsnReturn().isPresent()
                      : params.envelopeId().isPresent());
          if (dsn != null) {
            return dsn;
          }
          break;
        case "REQUIRETLS":
          if (!config.requireTls() || !value.isEmpty()) {
            return Replies.UNKNOWN_PARAMETER;
          }
          if (info.tls() == null) {
            return Replies.REQUIRETLS_NEEDS_TLS; // RFC 8689 section 4.1
          }
          break;
        case "AUTH":
          if (!authSettings.enabled()) {
            return Replies.UNKNOWN_PARAMETER;
          }
          if (value.isEmpty() || params.auth().isEmpty()) {
            return Replies.SYNTAX_ERROR;
          }
          break;
        default:
          return Replies.UNKNOWN_PARAMETER;
      }
    }
    if (mail.from().mailbox() != null
        && !mail.from().mailbox().isAscii()
        && !params.has("SMTPUTF8")) {
      return Replies.SMTPUTF8_REQUIRED;
    }
    if (params.size().orElse(0) > limits.maxMessageSize()) {
      return Replies.MESSAGE_TOO_BIG;
    }
    return null;
  }

  /** RCPT takes only DSN's NOTIFY and ORCPT, and only when DSN is on. */
  private @Nullable Reply checkRcptParameters(MailParameters params) {
    for (String keyword : params.values().keySet()) {
      Reply refused =
          switch (keyword) {
            case "NOTIFY" -> dsnParameter(params.dsnNotify().isPresent());
            case "ORCPT" -> dsnParameter(params.originalRecipient().isPresent());
            default -> Replies.UNKNOWN_PARAMETER;
          };
      if (refused != null) {
        return refused;
      }
    }
    return null;
  }

  /** A DSN parameter: unknown unless DSN is on, then a syntax error unless well formed. */
  private @Nullable Reply dsnParameter(boolean wellFormed) {
    return !config.dsn() ? Replies.UNKNOWN_PARAMETER : wellFormed ? null : Replies.SYNTAX_ERROR;
  }

  void rcptTo(Command.RcptTo rcpt, Transaction t) {
    Reply refused =
        t.envelope.recipients().size() >= limits.maxRecipients()
            ? Replies.TOO_MANY_RECIPIENTS
            : checkRcptParameters(rcpt.parameters());
    if (refused == null && !rcpt.to().isAscii() && !t.envelope.smtpUtf8()) {
      refused = Replies.SMTPUTF8_REQUIRED;
    }
    if (refused == null && !serves(rcpt.to())) {
      refused = Replies.DOMAIN_NOT_SERVED;
    }
    if (refused != null) {
      out.write(refused, Verb.RCPT);
      session.next();
      return;
    }
    SessionInfo snapshot = session.info();
    Envelope envelope = t.envelope;
    calls.decide(
        Event.RCPT_TO,
        h -> h.rcptTo(snapshot, envelope, rcpt.to(), rcpt.parameters()),
        d -> {
          if (d.accepted() && intake.transaction() == t) {
            t.envelope = t.envelope.withRecipient(new Recipient(rcpt.to(), rcpt.parameters()));
          }
          out.write(d.replyOr(Replies.RECIPIENT_OK, Replies.RECIPIENT_REJECTED), Verb.RCPT);
          session.next();
        });
  }

  void verify(Command.Vrfy vrfy) {
    SessionInfo snapshot = session.info();
    calls.decide(
        Event.VERIFY,
        h -> h.verify(snapshot, vrfy.argument()),
        d -> {
          out.write(d.replyOr(Replies.CANNOT_VRFY, Replies.RECIPIENT_REJECTED), Verb.VRFY);
          session.next();
        });
  }

  /** Whether the engine accepts recipients of this mailbox's domain (see the builder). */
  private boolean serves(Mailbox to) {
    Set<String> domains = config.acceptedDomains();
    return domains.isEmpty() || to.domain().isEmpty() || domains.contains(to.domainLowerCase());
  }
}
