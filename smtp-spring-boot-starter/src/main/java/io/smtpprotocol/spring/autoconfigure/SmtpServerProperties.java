package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.tls.TlsMode;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the auto-configured SMTP server, under {@code smtp.server}.
 *
 * @param enabled Whether to run the SMTP server.
 * @param address Network address the server binds to, for example 127.0.0.1. All addresses when
 *     unset.
 * @param port TCP port the server listens on. 0 picks a free port, published as
 *     'local.smtp.server.port'.
 * @param domain Host name the server announces in its greeting and EHLO reply. The local host name
 *     when unset.
 * @param maxMessageSize Largest message the server accepts, advertised with the SIZE extension.
 * @param maxRecipients Most recipients in one mail transaction. More are refused with 452.
 * @param maxLineLength Longest command line in octets, CRLF included. At least 512.
 * @param maxConnections Most simultaneous connections. More are refused with 421.
 * @param maxConnectionsPerIp Most simultaneous connections from one client address.
 * @param idleTimeout Time the client has to send a complete command line (or, in a message, more of
 *     it), or to take the replies queued for it, before the connection is closed.
 * @param maxMessagesPerSession Most mail transactions one connection may start; MAIL beyond them
 *     gets 421 and the connection closes. No limit when 0. Advertised as LIMITS MAILMAX.
 * @param lmtp Whether the server speaks LMTP (RFC 2033) instead of SMTP: LHLO, and a reply per
 *     recipient after the message, decided by a MESSAGE listener returning a List of decisions.
 * @param dsn Whether DSN (RFC 3461) is offered: RET, ENVID, NOTIFY and ORCPT are accepted and reach
 *     the listeners in MailParameters. Sending the notifications is the application's part.
 * @param requiretls Whether REQUIRETLS (RFC 8689) is offered on TLS sessions. Only for an
 *     application that relays such messages onward over verified TLS alone.
 * @param writeBufferSize Replies queued for a client that does not read them, beyond which the
 *     server stops reading its commands until it does.
 * @param lenientLineEndings Whether bare CR and LF are let through in commands and message data.
 *     Even then only CRLF.CRLF ends a message.
 * @param unixSocket Path of a Unix domain socket to listen on instead of TCP. Needs the native
 *     epoll transport (Linux).
 * @param ssl TLS settings.
 * @param tlsRequired Whether MAIL and AUTH are refused until the connection is encrypted. Needs an
 *     SSL bundle.
 * @param auth AUTH settings. AUTH is on when the application defines an Authenticator bean.
 * @param xclient XCLIENT settings (Postfix's XCLIENT_README).
 * @param acceptedDomains Recipient domains the server accepts; RCPT TO for any other domain gets
 *     550 5.1.1 without a listener call. Every domain when empty. Matched exactly, ignoring case;
 *     the bare Postmaster is always accepted.
 * @param ioThreads Event loop threads, which read commands and write replies. 0 uses Netty's
 *     default, twice the processors; fewer often serve better, since listener methods run on the
 *     handler threads.
 * @param handlerThreads Most threads running listener methods (the pool grows on demand and shrinks
 *     when idle). Ignored when spring.threads.virtual.enabled=true.
 * @param proxyProtocol PROXY protocol settings, for a server behind a TCP load balancer such as
 *     HAProxy.
 */
@ConfigurationProperties("smtp.server")
public record SmtpServerProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable InetAddress address,
    @DefaultValue("2525") int port,
    @Nullable String domain,
    @DefaultValue("10MB") DataSize maxMessageSize,
    @DefaultValue("100") int maxRecipients,
    @DefaultValue("1000") int maxLineLength,
    @DefaultValue("1000") int maxConnections,
    @DefaultValue("50") int maxConnectionsPerIp,
    @DefaultValue("5m") Duration idleTimeout,
    @DefaultValue("64KB") DataSize writeBufferSize,
    @DefaultValue("0") int maxMessagesPerSession,
    @DefaultValue("false") boolean requiretls,
    @DefaultValue("false") boolean dsn,
    @DefaultValue("false") boolean lmtp,
    @DefaultValue("false") boolean lenientLineEndings,
    @Nullable Path unixSocket,
    @DefaultValue Ssl ssl,
    @DefaultValue("false") boolean tlsRequired,
    @DefaultValue Auth auth,
    @DefaultValue Xclient xclient,
    @Nullable List<String> acceptedDomains,
    @DefaultValue("0") int ioThreads,
    @DefaultValue("256") int handlerThreads,
    @DefaultValue ProxyProtocol proxyProtocol) {

  /**
   * TLS of the SMTP server.
   *
   * @param bundle Name of the SSL bundle (spring.ssl.bundle.*) holding the server's key and
   *     certificate chain. TLS is off when unset. The server follows updates of the bundle without
   *     a restart.
   * @param mode How TLS is offered: 'starttls' upgrades plaintext connections on request,
   *     'implicit' speaks TLS from the first octet, 'none' turns TLS off.
   * @param clientAuth Whether clients are asked for a certificate: 'none', 'want' (optional) or
   *     'need' (required). The bundle's trust store verifies them.
   */
  public record Ssl(
      @Nullable String bundle,
      @DefaultValue("starttls") TlsMode mode,
      @DefaultValue("none") ClientAuth clientAuth) {

    /** Whether TLS is configured. */
    public boolean enabled() {
      return bundle != null && !bundle.isBlank() && mode != TlsMode.NONE;
    }
  }

  /** Whether the server asks clients for a certificate. */
  public enum ClientAuth {
    /** Clients are not asked for a certificate. */
    NONE,
    /** Clients are asked for a certificate but may go on without one. */
    WANT,
    /** Clients must present a certificate the trust store accepts. */
    NEED
  }

  /**
   * The PROXY protocol (HAProxy's, version 1 or 2) in front of the SMTP server.
   *
   * @param enabled Whether every connection must begin with a PROXY protocol header from a trusted
   *     proxy, whose client address then stands for the connection: in connection limits, AUTH
   *     failure counts, listeners and logs. Connections without one are closed without a greeting.
   * @param trustedProxies Addresses of the proxies allowed to send the header: IP addresses, CIDR
   *     blocks such as 10.0.0.0/8, or 'unix' for peers on a Unix domain socket. Required when the
   *     PROXY protocol is enabled.
   * @param headerTimeout Time a connection has to send its whole PROXY header before it is closed.
   */
  public record ProxyProtocol(
      @DefaultValue("false") boolean enabled,
      @Nullable List<String> trustedProxies,
      @DefaultValue("5s") Duration headerTimeout) {}

  /**
   * AUTH (RFC 4954) of the SMTP server.
   *
   * @param required Whether MAIL is refused until the client authenticates.
   * @param allowInsecure Whether AUTH is offered and accepted on connections without TLS.
   * @param mechanisms SASL mechanisms to offer, in order: any of PLAIN, LOGIN, CRAM-MD5, XOAUTH2,
   *     SCRAM-SHA-256. Those the Authenticator bean implements when unset.
   * @param maxFailuresPerAddress Failed attempts from one client address (an IPv6 /64), over all
   *     its connections, after which AUTH from there is refused with 454 until the failure window
   *     has passed.
   * @param failureWindow How long failed attempts from one address count.
   */
  public record Auth(
      @DefaultValue("false") boolean required,
      @DefaultValue("false") boolean allowInsecure,
      @Nullable List<String> mechanisms,
      @DefaultValue("10") int maxFailuresPerAddress,
      @DefaultValue("10m") Duration failureWindow) {}

  /**
   * XCLIENT of the SMTP server: a trusted proxy or MTA in front of it names the client it speaks
   * for, whose address, host name, greeting and login the listeners then see.
   *
   * @param trustedClients Addresses allowed to send XCLIENT: IP addresses, CIDR blocks such as
   *     10.0.0.0/8, and 'unix' for peers on a Unix domain socket. XCLIENT is announced to them
   *     only; others get 550 5.7.0. XCLIENT is off when empty.
   */
  public record Xclient(@Nullable List<String> trustedClients) {

    /** Whether XCLIENT is on. */
    public boolean enabled() {
      return trustedClients != null && !trustedClients.isEmpty();
    }
  }
}
