package io.smtpprotocol.spring.autoconfigure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the auto-configured SMTP client, under {@code smtp.client}.
 *
 * @param enabled Whether to auto-configure the SMTP client.
 * @param host Host name of the server to send through. The connection pool is made only when it is
 *     set.
 * @param port TCP port of the server: 25 for relay, 587 for submission, 465 with implicit TLS.
 * @param localHost Name the client gives in EHLO. The local address as an address literal when
 *     unset.
 * @param username User name for AUTH. No AUTH when unset.
 * @param password Password for AUTH, or the OAuth 2.0 access token with the XOAUTH2 mechanism.
 * @param mechanism SASL mechanism for AUTH. The strongest offered of SCRAM-SHA-256, CRAM-MD5, PLAIN
 *     and LOGIN when unset.
 * @param allowInsecureAuth Whether PLAIN, LOGIN and XOAUTH2 may send the secret over an unencrypted
 *     connection.
 * @param chunking Whether to send with BDAT when the server offers CHUNKING.
 * @param ssl TLS settings.
 * @param connectTimeout Time to open a connection.
 * @param greetingTimeout Time to wait for the server's greeting.
 * @param commandTimeout Time to wait for the reply to a command (MAIL, RCPT and the others) or for
 *     a TLS handshake.
 * @param dataTimeout Time writing a message may make no progress.
 * @param finalTimeout Time to wait for the reply to the end of a message.
 * @param ioThreads Event loop threads of the client.
 * @param pool Connection pool settings.
 * @param mailSender Settings of the JavaMailSender backed by the client.
 */
@ConfigurationProperties("smtp.client")
public record SmtpClientProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String host,
    @DefaultValue("25") int port,
    @Nullable String localHost,
    @Nullable String username,
    @Nullable String password,
    @Nullable String mechanism,
    @DefaultValue("false") boolean allowInsecureAuth,
    @DefaultValue("false") boolean chunking,
    @DefaultValue Ssl ssl,
    @DefaultValue("30s") Duration connectTimeout,
    @DefaultValue("5m") Duration greetingTimeout,
    @DefaultValue("5m") Duration commandTimeout,
    @DefaultValue("3m") Duration dataTimeout,
    @DefaultValue("10m") Duration finalTimeout,
    @DefaultValue("1") int ioThreads,
    @DefaultValue Pool pool,
    @DefaultValue MailSender mailSender) {

  /** How the client uses TLS. */
  public enum Mode {
    /** Upgrade with STARTTLS, as the TLS policy says. */
    STARTTLS,
    /** TLS from the first octet (port 465). */
    IMPLICIT,
    /** Never TLS. */
    NONE
  }

  /**
   * TLS of the SMTP client.
   *
   * @param bundle Name of the SSL bundle (spring.ssl.bundle.*) whose trust store verifies the
   *     server, and whose key, when it has one, is the client certificate. The JDK's trust store
   *     when unset.
   * @param mode How TLS is used: 'starttls' upgrades as the policy says, 'implicit' speaks TLS from
   *     the first octet, 'none' never uses TLS.
   * @param policy With STARTTLS, 'opportunistic' upgrades when the server offers it and 'required'
   *     fails a server that does not.
   */
  public record Ssl(
      @Nullable String bundle,
      @DefaultValue("starttls") Mode mode,
      @DefaultValue("opportunistic") io.smtpprotocol.client.TlsPolicy policy) {}

  /**
   * The JavaMailSender backed by the SMTP client.
   *
   * @param enabled Whether to make a JavaMailSender that sends through the client's pool (when
   *     Spring's mail support is on the class path and smtp.client.host is set). Spring Boot's own
   *     spring.mail.* sender then backs off.
   * @param timeout Time one send() may take before it fails.
   */
  public record MailSender(
      @DefaultValue("true") boolean enabled, @DefaultValue("10m") Duration timeout) {}

  /**
   * Connection pool of the SMTP client.
   *
   * @param maxConnections Most connections open to the server at once.
   * @param maxMessagesPerConnection Messages one connection sends before it is closed.
   * @param idleTimeout Time an unused connection stays open.
   * @param acquireTimeout Time a send waits for a connection when all are busy.
   * @param maxWaiting Most sends waiting for a connection; more fail at once.
   */
  public record Pool(
      @DefaultValue("8") int maxConnections,
      @DefaultValue("100") int maxMessagesPerConnection,
      @DefaultValue("30s") Duration idleTimeout,
      @DefaultValue("30s") Duration acquireTimeout,
      @DefaultValue("1000") int maxWaiting) {}
}
