package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.failed;
import static io.smtpprotocol.client.Stages.unwrap;

import io.smtpprotocol.protocol.Extensions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Brings a session to where it can send as the client is configured: EHLO (HELO when EHLO is
 * refused, LHLO in LMTP mode), STARTTLS by the TLS policy and EHLO again, AUTH when credentials are
 * set. Does only what is not done yet.
 */
final class SessionSetup {

  private final SmtpConnection connection;
  private final SessionState state;
  private final ClientConfig config;

  // guarded by this
  private @Nullable CompletableFuture<Extensions> preparing;

  SessionSetup(SmtpConnection connection, SessionState state, ClientConfig config) {
    this.connection = connection;
    this.state = state;
    this.config = config;
  }

  CompletionStage<Extensions> prepare() {
    synchronized (this) {
      // sends issued together share one preparation instead of greeting twice
      CompletableFuture<Extensions> running = preparing;
      if (running != null && !running.isDone()) {
        return running;
      }
      CompletableFuture<Extensions> started = prepareNow().toCompletableFuture();
      preparing = started;
      return started;
    }
  }

  private CompletionStage<Extensions> prepareNow() {
    CompletionStage<Extensions> stage = CompletableFuture.completedFuture(state.extensions);
    if (!state.greeted) {
      stage = greet();
    }
    TlsPolicy policy = config.startTlsPolicy();
    if (!state.tls && policy != TlsPolicy.NONE) {
      stage =
          stage.thenCompose(
              ext -> {
                if (!ext.startTls()) {
                  if (policy == TlsPolicy.REQUIRED) {
                    return failed(
                        new SmtpConnectionException(
                            "the server does not offer STARTTLS, and TLS is required"));
                  }
                  return CompletableFuture.completedFuture(ext);
                }
                return connection
                    .startTls()
                    .thenCompose(r -> greet())
                    .exceptionallyCompose(
                        e -> {
                          Throwable cause = unwrap(e);
                          if (policy == TlsPolicy.OPPORTUNISTIC
                              && cause instanceof SmtpReplyException
                              && connection.isOpen()) {
                            return CompletableFuture.completedFuture(ext);
                          }
                          return failed(cause);
                        });
              });
    }
    Credentials credentials = config.credentials();
    if (credentials != null && state.authenticatedAs == null) {
      stage =
          stage.thenCompose(
              ext -> {
                if (ext.authMechanisms().isEmpty()) {
                  return failed(
                      new SmtpConnectionException(
                          "credentials are set but the server offers no AUTH"));
                }
                return connection
                    .login(credentials.username(), credentials.secret(), credentials.mechanism())
                    .thenApply(r -> state.extensions);
              });
    }
    return stage;
  }

  private CompletionStage<Extensions> greet() {
    String name = config.ehloName(connection.channel().localAddress());
    if (config.lmtp()) {
      return connection.lhlo(name).thenApply(r -> state.extensions);
    }
    return connection
        .ehlo(name)
        .thenApply(r -> state.extensions)
        .exceptionallyCompose(
            e -> {
              Throwable cause = unwrap(e);
              if (cause instanceof SmtpReplyException re && re.reply().isPermanent()) {
                return connection.helo(name).thenApply(r -> Extensions.NONE);
              }
              return failed(cause);
            });
  }
}
