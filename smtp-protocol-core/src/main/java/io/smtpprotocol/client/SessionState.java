package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.tls.TlsInfo;
import org.jspecify.annotations.Nullable;

/** What one session has learned of its server; written on the event loop, read from any thread. */
final class SessionState {
  volatile Extensions extensions = Extensions.NONE;
  volatile boolean greeted;
  volatile boolean lmtp;
  volatile boolean tls;
  volatile @Nullable TlsInfo tlsInfo;
  volatile @Nullable String authenticatedAs;
  volatile int messagesSent;

  /** After STARTTLS: what the server said in plaintext no longer holds (RFC 3207 section 4.2). */
  void forgetPlaintext() {
    extensions = Extensions.NONE;
    greeted = false;
    authenticatedAs = null;
  }
}
