package io.smtpprotocol.auth;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One run of a SASL mechanism on the server. The session calls {@link #respond} first with the AUTH
 * command's initial response ({@code null} when there was none, an empty array for {@code =}), then
 * with each decoded client response, until a step is not a challenge. Calls come one at a time, on
 * the server's handler executor.
 */
public interface SaslExchange {

  /** The next step after the client's response. */
  CompletionStage<SaslStep> respond(byte @Nullable [] response);
}
