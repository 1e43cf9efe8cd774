package io.smtpprotocol.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A server's TLS settings.
 *
 * <p>The context supplier is asked on the event loop for every handshake, so it must be quick (keep
 * the built {@link SslContext} and return it); returning a different context rotates certificates
 * without a restart. Client certificate policy, protocols and ciphers live in the context (see
 * {@link SslContexts}).
 *
 * @param mode whether TLS is off, offered through STARTTLS, or implicit
 * @param context supplies the server's SSL context; {@code null} only with {@link TlsMode#NONE}
 * @param required whether MAIL is refused until the connection is encrypted
 */
public record TlsSettings(TlsMode mode, @Nullable Supplier<SslContext> context, boolean required) {

  /** No TLS. */
  public static final TlsSettings NONE = new TlsSettings(TlsMode.NONE, null, false);

  public TlsSettings {
    Objects.requireNonNull(mode, "mode");
    if (mode != TlsMode.NONE && context == null) {
      throw new IllegalArgumentException("TLS mode " + mode + " needs an SSL context supplier");
    }
    if (mode == TlsMode.NONE && required) {
      throw new IllegalArgumentException("TLS cannot be required when the TLS mode is NONE");
    }
  }

  /** Whether the server speaks TLS at all. */
  public boolean enabled() {
    return mode != TlsMode.NONE;
  }

  /** These settings with another requirement. */
  public TlsSettings withRequired(boolean required) {
    return new TlsSettings(mode, context, required);
  }
}
