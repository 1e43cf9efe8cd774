package io.smtpprotocol.spring.context;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start-up that failed because the SMTP port is taken. */
final class SmtpServerPortInUseFailureAnalyzer
    extends AbstractFailureAnalyzer<SmtpServerPortInUseException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, SmtpServerPortInUseException cause) {
    return new FailureAnalysis(
        "The SMTP server could not start: port " + cause.port() + " is already in use.",
        "Stop the process that listens on port "
            + cause.port()
            + ", or set 'smtp.server.port' to another port (0 picks a free one).",
        cause);
  }
}
