package io.smtpprotocol.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Builds server and client {@link SslContext}s with safe defaults: TLS 1.3 and 1.2 only, the
 * provider's default (modern) cipher suites, and Netty's OpenSSL engine when {@code
 * netty-tcnative-boringssl-static} is on the class path (falling back to the JDK engine otherwise).
 *
 * <pre>{@code
 * KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
 * kmf.init(keyStore, password);
 * SslContext context = SslContexts.forServer(kmf);
 * SmtpServer.builder().tls(TlsMode.STARTTLS, () -> context)...
 * }</pre>
 */
public final class SslContexts {

  /** The protocols enabled by default, newest first. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private SslContexts() {}

  /** Whether Netty's OpenSSL engine can be used in this process. */
  public static boolean openSslAvailable() {
    return OpenSsl.isAvailable();
  }

  /** The provider {@code forServer} uses: OpenSSL when available, else the JDK's. */
  public static SslProvider defaultProvider() {
    return openSslAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * A server context from a key and its certificate chain (leaf first), without client
   * certificates.
   */
  public static SslContext forServer(PrivateKey key, X509Certificate... chain) {
    Objects.requireNonNull(key, "key");
    if (chain.length == 0) {
      throw new IllegalArgumentException("chain must hold at least the server certificate");
    }
    return build(
        SslContextBuilder.forServer(key, chain),
        null,
        ClientAuth.NONE,
        DEFAULT_PROTOCOLS,
        null,
        defaultProvider());
  }

  /** A server context from key managers, without client certificates. */
  public static SslContext forServer(KeyManagerFactory keyManagers) {
    return forServer(keyManagers, null, ClientAuth.NONE);
  }

  /**
   * A server context from key managers, with a client certificate policy.
   *
   * @param trustManagers verify client certificates; {@code null} for the JDK's default trust
   * @param clientAuth whether client certificates are not asked for, optional, or required
   */
  public static SslContext forServer(
      KeyManagerFactory keyManagers,
      @Nullable TrustManagerFactory trustManagers,
      ClientAuth clientAuth) {
    return forServer(
        keyManagers, trustManagers, clientAuth, DEFAULT_PROTOCOLS, null, defaultProvider());
  }

  /**
   * A server context with every choice explicit.
   *
   * @param trustManagers verify client certificates; {@code null} for the JDK's default trust
   * @param clientAuth whether client certificates are not asked for, optional, or required
   * @param protocols the enabled protocols, for example {@link #DEFAULT_PROTOCOLS}
   * @param ciphers the enabled cipher suites, or {@code null} for the provider's defaults
   * @param provider the engine; {@link SslProvider#OPENSSL} needs {@code netty-tcnative}
   */
  public static SslContext forServer(
      KeyManagerFactory keyManagers,
      @Nullable TrustManagerFactory trustManagers,
      ClientAuth clientAuth,
      Collection<String> protocols,
      @Nullable Collection<String> ciphers,
      SslProvider provider) {
    Objects.requireNonNull(keyManagers, "keyManagers");
    return build(
        SslContextBuilder.forServer(keyManagers),
        trustManagers,
        clientAuth,
        protocols,
        ciphers,
        provider);
  }

  /**
   * A client context with the JDK's trust store and no client certificate. The client checks the
   * server's host name against its certificate itself.
   */
  public static SslContext forClient() {
    return forClient(null, null);
  }

  /**
   * A client context.
   *
   * @param trustManagers verify the server's certificate; {@code null} for the JDK's default trust
   * @param keyManagers the client certificate to present when asked; {@code null} for none
   */
  public static SslContext forClient(
      @Nullable TrustManagerFactory trustManagers, @Nullable KeyManagerFactory keyManagers) {
    SslContextBuilder builder = SslContextBuilder.forClient().keyManager(keyManagers);
    if (trustManagers != null) {
      builder.trustManager(trustManagers);
    }
    return buildClient(builder);
  }

  /**
   * A client context that accepts any server certificate: only for a client whose own check decides
   * on the certificate after the handshake.
   */
  public static SslContext forClientTrustingAll() {
    return buildClient(
        SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE));
  }

  private static SslContext buildClient(SslContextBuilder builder) {
    List<String> enabled = new ArrayList<>(DEFAULT_PROTOCOLS);
    if (!SslProvider.isTlsv13Supported(SslProvider.JDK)) {
      enabled.remove("TLSv1.3");
    }
    try {
      return builder.sslProvider(SslProvider.JDK).protocols(enabled).build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot build the client SSL context: " + e.getMessage(), e);
    }
  }

  private static SslContext build(
      SslContextBuilder builder,
      @Nullable TrustManagerFactory trustManagers,
      ClientAuth clientAuth,
      Collection<String> protocols,
      @Nullable Collection<String> ciphers,
      SslProvider provider) {
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(provider, "provider");
    List<String> enabled = new ArrayList<>(protocols);
    if (!SslProvider.isTlsv13Supported(provider)) {
      enabled.remove("TLSv1.3");
    }
    if (enabled.isEmpty()) {
      throw new IllegalArgumentException(
          "protocols must name at least one supported protocol: " + protocols);
    }
    builder
        .sslProvider(provider)
        .protocols(enabled)
        .clientAuth(clientAuth)
        .ciphers(ciphers == null ? null : List.copyOf(ciphers));
    if (trustManagers != null) {
      builder.trustManager(trustManagers);
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot build the server SSL context: " + e.getMessage(), e);
    }
  }
}
