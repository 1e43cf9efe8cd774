package io.smtpprotocol.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the TLS and AUTH events a server reports, as {@code "tls:true"}, {@code
 * "auth:PLAIN:false"}.
 */
final class RecordingObserver implements SmtpServerObserver {

  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void tlsHandshake(boolean success) {
    events.add("tls:" + success);
  }

  @Override
  public void auth(String mechanism, boolean success) {
    events.add("auth:" + mechanism + ":" + success);
  }

  @Override
  public void authThrottled() {
    events.add("auth:throttled");
  }
}
