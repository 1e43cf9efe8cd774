package io.smtpprotocol.server;

import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslExchange;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.auth.SaslStep;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The AUTH exchange (RFC 4954): SASL steps run on the handler executor like every application call;
 * failed attempts are answered later each time, closed after the last allowed one, and counted per
 * client address over all connections.
 */
final class AuthStep {

  /** The longest AUTH line, CRLF included (RFC 4954 section 4). */
  static final int MAX_AUTH_LINE = 12_288;

  /** The longest delay before a failed AUTH is answered, however many failures. */
  private static final long MAX_AUTH_DELAY_MILLIS = 30_000;

  /** One SASL exchange in progress. */
  private record Exchange(String mechanism, SaslExchange exchange) {}

  private final SmtpSession session;
  private final SessionHost host;
  private final AuthSettings settings;
  private final @Nullable Authenticator authenticator;
  private final String domain;
  private final SmtpServerObserver observer;
  private final SessionInput input;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final Admission admission;

  /** The exchange in progress: the next command lines are its responses. */
  private @Nullable Exchange exchange;

  private int failures;

  AuthStep(
      SmtpSession session,
      SessionHost host,
      SessionInput input,
      ReplyWriter out,
      HandlerCalls calls,
      Admission admission) {
    this.session = session;
    this.admission = admission;
    this.host = host;
    this.settings = host.config().auth();
    this.authenticator = settings.authenticator();
    this.domain = host.config().domain();
    this.observer = host.observer();
    this.input = input;
    this.out = out;
    this.calls = calls;
  }

  /** Whether an exchange is in progress, so that the next line is a response. */
  boolean active() {
    return exchange != null;
  }

  /** Whether failed attempts from the client's address used up its budget (the AUTH gate asks). */
  boolean exhausted() {
    if (host.authFailures().exhausted(clientAddress())) {
      observer.authThrottled();
      return true;
    }
    return false;
  }

  /** Starts an exchange for AUTH, which the gate let through. */
  void start(Command.Auth command) {
    SaslMechanism mechanism = host.mechanism(command.mechanism());
    Authenticator a = authenticator;
    if (mechanism == null || a == null) {
      out.write(Replies.AUTH_MECHANISM_UNKNOWN, Verb.AUTH);
      session.next();
      return;
    }
    byte[] initial = null;
    String ir = command.initialResponse();
    if (ir != null) {
      initial = base64(ir.equals("=") ? "" : ir);
      if (initial == null) {
        observer.auth(mechanism.name(), false);
        out.write(Replies.AUTH_BAD_BASE64, Verb.AUTH);
        session.next();
        return;
      }
    }
    Exchange e = new Exchange(mechanism.name(), mechanism.start(session.info(), a, domain));
    exchange = e;
    input.authExchange(true);
    step(e, initial);
  }

  /** A response line of the exchange in progress. */
  void onResponse(String line) {
    Exchange e = exchange;
    if (e == null) {
      return;
    }
    if (line.equals("*")) {
      abort(e, Replies.AUTH_CANCELLED);
      return;
    }
    byte[] response = base64(line);
    if (response == null) {
      abort(e, Replies.AUTH_BAD_BASE64);
      return;
    }
    step(e, response);
  }

  /** A line that could not be used arrived; if it was a response, the exchange fails. */
  boolean onBadLine() {
    Exchange e = exchange;
    if (e == null) {
      return false;
    }
    end();
    observer.auth(e.mechanism(), false);
    return true;
  }

  private void abort(Exchange e, Reply reply) {
    end();
    observer.auth(e.mechanism(), false);
    out.write(reply, Verb.AUTH);
    session.next();
  }

  /** Runs one step of the exchange on the handler executor, like every application call. */
  private void step(Exchange e, byte @Nullable [] response) {
    calls.ask(
        Event.AUTH,
        () -> e.exchange().respond(response),
        (SaslStep step, @Nullable Throwable error) -> {
          if (exchange != e) {
            return;
          }
          if (error != null || step == null) {
            abort(e, calls.authenticatorFailureReply(error));
          } else if (step instanceof SaslStep.Challenge challenge) {
            out.write(Reply.of(334, Base64.getEncoder().encodeToString(challenge.data())), null);
            session.next();
          } else if (step instanceof SaslStep.Success success) {
            authenticated(e, success.identity());
          } else if (step instanceof SaslStep.Failure failure) {
            failed(e, failure.reply());
          }
        });
  }

  private void authenticated(Exchange e, String identity) {
    SessionInfo snapshot = session.info();
    calls.decide(
        Event.AUTH,
        h -> h.auth(snapshot, e.mechanism(), identity),
        d -> {
          if (exchange != e) {
            return;
          }
          if (!d.accepted()) {
            failed(e, d.replyOr(Replies.AUTH_FAILED, Replies.AUTH_FAILED));
            return;
          }
          end();
          session.info(SessionInfos.authenticated(session.info(), identity));
          observer.auth(e.mechanism(), true);
          out.event("{} authenticated with {}", e.mechanism());
          out.write(d.replyOr(Replies.AUTH_SUCCEEDED, Replies.AUTH_FAILED), Verb.AUTH);
          session.next();
        });
  }

  /**
   * Answers a failed exchange. Wrong credentials count: each such answer waits longer than the last
   * (scheduled on the event loop, never a sleep), and the last allowed failure closes the session
   * with 421.
   */
  private void failed(Exchange e, Reply reply) {
    end();
    observer.auth(e.mechanism(), false);
    boolean counts = reply.isPermanent() && reply.code() != 501;
    if (!counts) {
      out.write(reply, Verb.AUTH);
      session.next();
      return;
    }
    failures++;
    host.authFailures().failed(clientAddress());
    boolean last = failures >= settings.maxFailures();
    long delay =
        Math.min(
            MAX_AUTH_DELAY_MILLIS,
            settings.failureDelay().toMillis() << Math.min(failures - 1, 16));
    Runnable answer =
        () -> {
          out.write(reply, Verb.AUTH);
          if (last) {
            session.closeWith(Replies.TOO_MANY_AUTH_FAILURES);
          } else {
            session.next();
          }
        };
    if (delay <= 0) {
      answer.run();
    } else {
      calls.later(delay, answer);
    }
  }

  /**
   * The address failures count against: the client's as the session knows it (XCLIENT may have
   * named another), else that of the connection's peer.
   */
  private @Nullable InetAddress clientAddress() {
    return session
        .info()
        .remoteInetAddress()
        .map(InetSocketAddress::getAddress)
        .orElse(admission.address());
  }

  private void end() {
    exchange = null;
    input.authExchange(false);
  }

  /** Decodes a client response; null if it is not base64. */
  private static byte @Nullable [] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
