package io.smtpprotocol.auth;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An exchange in which the client sends one message, as the AUTH command's initial response or
 * after one empty challenge (PLAIN, XOAUTH2). A second empty challenge is not given, and a message
 * that is not UTF-8 is malformed.
 */
abstract class OneMessageExchange implements SaslExchange {

  private boolean challenged;

  @Override
  public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
    if (response == null) {
      if (challenged) {
        return SaslText.done(SaslStep.malformed());
      }
      challenged = true;
      return SaslText.done(SaslStep.challenge(new byte[0]));
    }
    String message = SaslText.utf8(response);
    return message == null ? SaslText.done(SaslStep.malformed()) : message(message);
  }

  /** The step for the client's message. */
  abstract CompletionStage<SaslStep> message(String message);
}
