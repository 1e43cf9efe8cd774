package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.unwrap;

import io.smtpprotocol.auth.SaslClientExchange;
import io.smtpprotocol.protocol.Reply;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The AUTH exchange (RFC 4954) of one connection: the mechanism picked or checked, the initial
 * response, each challenge answered, and the server's proof checked where the mechanism has one.
 * Later commands wait behind the barrier until the exchange ends.
 */
final class SaslLogin {

  private final CommandQueue commands;
  private final SessionState state;
  private final ClientConfig config;

  SaslLogin(CommandQueue commands, SessionState state, ClientConfig config) {
    this.commands = commands;
    this.state = state;
    this.config = config;
  }

  /** AUTH with this mechanism, or the strongest offered when {@code null}. */
  CompletionStage<Reply> login(String user, String secret, @Nullable String mechanism) {
    Credentials credentials = new Credentials(user, secret, mechanism);
    String chosen = mechanism == null ? pickMechanism() : mechanism.toUpperCase(Locale.ROOT);
    if (SaslClientExchange.exposesSecret(chosen) && !state.tls && !config.allowInsecureAuth()) {
      throw new IllegalStateException(
          chosen
              + " would send the secret over an unencrypted connection (allowInsecureAuth is off)");
    }
    SaslClientExchange exchange =
        SaslClientExchange.start(chosen, credentials.username(), credentials.secret())
            .orElseThrow(() -> new IllegalArgumentException("unknown SASL mechanism: " + chosen));
    CompletableFuture<Reply> f = new CompletableFuture<>();
    commands.onLoop(
        () ->
            commands.whenFreeHold(
                f,
                () -> {
                  byte[] initial = exchange.initialResponse();
                  String line = "AUTH " + exchange.mechanism();
                  if (initial != null) {
                    line += " " + (initial.length == 0 ? "=" : base64(initial));
                  }
                  send(line).whenComplete((r, e) -> step(exchange, user, r, e, f));
                }));
    return f;
  }

  private String pickMechanism() {
    List<String> offered = state.extensions.authMechanisms();
    if (offered.isEmpty()) {
      throw new IllegalStateException("the server offers no AUTH (say EHLO first)");
    }
    for (String m : SaslClientExchange.PASSWORD_PREFERENCE) {
      if (offered.contains(m)
          && (state.tls || config.allowInsecureAuth() || !SaslClientExchange.exposesSecret(m))) {
        return m;
      }
    }
    throw new IllegalStateException(
        "no usable SASL mechanism among "
            + offered
            + (state.tls ? "" : " over an unencrypted connection"));
  }

  /** One line of the exchange, kept out of the debug log. */
  private CompletableFuture<Reply> send(String line) {
    return commands.enqueueNow("AUTH", line, config.commandTimeout(), true, true);
  }

  private void step(
      SaslClientExchange exchange,
      String user,
      @Nullable Reply reply,
      @Nullable Throwable error,
      CompletableFuture<Reply> f) {
    if (error != null) {
      commands.lowerBarrier();
      f.completeExceptionally(unwrap(error));
      return;
    }
    Reply r = Objects.requireNonNull(reply);
    if (r.code() == 334) {
      byte[] answer;
      try {
        byte[] challenge = Base64.getDecoder().decode(r.lines().get(0).strip());
        answer = exchange.respond(challenge);
      } catch (IllegalArgumentException e) {
        // cancel the exchange (RFC 4954 section 4), then report why
        send("*")
            .whenComplete(
                (ignored, e2) -> {
                  commands.lowerBarrier();
                  f.completeExceptionally(
                      new SmtpConnectionException(
                          "AUTH " + exchange.mechanism() + " cancelled: " + e.getMessage(), e));
                });
        return;
      }
      send(base64(answer)).whenComplete((r2, e2) -> step(exchange, user, r2, e2, f));
      return;
    }
    commands.lowerBarrier();
    if (r.code() == 235 && !exchange.complete()) {
      SmtpConnectionException e =
          new SmtpConnectionException(
              "AUTH "
                  + exchange.mechanism()
                  + ": the server reported success without proving itself");
      commands.fail(e);
      f.completeExceptionally(e);
      return;
    }
    if (r.code() != 235) {
      f.completeExceptionally(new SmtpConnectionException("AUTH answered with " + r + ", not 235"));
      return;
    }
    state.authenticatedAs = user;
    f.complete(r);
  }

  private static String base64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }
}
