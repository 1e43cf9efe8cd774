package io.smtpprotocol.server;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.tls.TlsMode;
import io.smtpprotocol.tls.TlsSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link SmtpServer}: {@link SmtpServer#builder()}, the settings, then {@link #build()}.
 * Every setting has a default; a builder is not thread-safe and may build several servers.
 */
public final class SmtpServerBuilder {
  private String domain = defaultDomain();
  private String greeting = "ready";
  private @Nullable InetAddress address;
  private int port = 25;
  private @Nullable Path unixSocket;
  private SmtpHandler handler = new SmtpHandler() {};
  private Limits limits = Limits.DEFAULTS;
  private @Nullable Executor handlerExecutor;
  private int handlerThreads = 256;
  private int ioThreads = 0;
  private Transport transport = Transport.AUTO;
  private int backlog = 1024;
  private boolean lenientLineEndings;
  private Set<String> acceptedDomains = Set.of();
  private boolean chunking = true;
  private boolean smtpUtf8 = true;
  private boolean eightBitMime = true;
  private boolean pipelining = true;
  private boolean requireTls;
  private boolean dsn;
  private boolean lmtp;
  private List<String> xclientClients = List.of();
  private SmtpServerObserver observer = SmtpServerObserver.NONE;
  private TlsMode tlsMode = TlsMode.NONE;
  private @Nullable Supplier<SslContext> sslContext;
  private boolean tlsRequired;
  private @Nullable Authenticator authenticator;
  private List<String> authMechanisms = List.of();
  private final List<SaslMechanism> ownMechanisms = new ArrayList<>();
  private boolean authRequired;
  private boolean allowInsecureAuth;
  private int maxAuthFailures = AuthSettings.NONE.maxFailures();
  private Duration authFailureDelay = AuthSettings.NONE.failureDelay();
  private int maxAddressAuthFailures = AuthSettings.NONE.maxAddressFailures();
  private Duration addressAuthFailureWindow = AuthSettings.NONE.addressFailureWindow();
  private @Nullable TrustedAddresses trustedProxies;
  private Duration proxyHeaderTimeout = Duration.ofSeconds(5);

  SmtpServerBuilder() {}

  private static String defaultDomain() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException | RuntimeException e) {
      return "localhost";
    }
  }

  /** The name in the greeting and the EHLO reply (default: the local host name). */
  public SmtpServerBuilder domain(String domain) {
    if (domain.isBlank() || domain.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw new IllegalArgumentException("domain must be a host name: " + domain);
    }
    this.domain = domain;
    return this;
  }

  /** The text after {@code 220 <domain> ESMTP} in the greeting (default {@code ready}). */
  public SmtpServerBuilder greeting(String greeting) {
    if (greeting.chars().anyMatch(c -> c == '\r' || c == '\n')) {
      throw new IllegalArgumentException("greeting must not contain CR or LF");
    }
    this.greeting = greeting;
    return this;
  }

  /** The address to bind (default: all addresses). */
  public SmtpServerBuilder address(@Nullable InetAddress address) {
    this.address = address;
    return this;
  }

  /** The TCP port (default 25; 0 picks a free port, see {@link SmtpServer#port()}). */
  public SmtpServerBuilder port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    this.port = port;
    return this;
  }

  /** Listen on a Unix domain socket at this path instead of TCP (needs epoll). */
  public SmtpServerBuilder unixSocket(@Nullable Path path) {
    this.unixSocket = path;
    return this;
  }

  /** The application's handler (default: accepts everything but refuses messages). */
  public SmtpServerBuilder handler(SmtpHandler handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  public SmtpServerBuilder limits(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /**
   * Where handler methods run (default: a pool of up to {@link #handlerThreads(int)} threads, owned
   * and shut down by the server). A given executor is not shut down by the server.
   */
  public SmtpServerBuilder handlerExecutor(@Nullable Executor executor) {
    this.handlerExecutor = executor;
    return this;
  }

  /** Threads of the default handler pool (default 256); beyond them events get 451. */
  public SmtpServerBuilder handlerThreads(int threads) {
    if (threads <= 0) {
      throw new IllegalArgumentException("handlerThreads must be positive: " + threads);
    }
    this.handlerThreads = threads;
    return this;
  }

  /** Event loop threads (default 0: Netty's choice, twice the processors). */
  public SmtpServerBuilder ioThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("ioThreads must not be negative: " + threads);
    }
    this.ioThreads = threads;
    return this;
  }

  public SmtpServerBuilder transport(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /** The listen backlog (default 1024). */
  public SmtpServerBuilder backlog(int backlog) {
    if (backlog <= 0) {
      throw new IllegalArgumentException("backlog must be positive: " + backlog);
    }
    this.backlog = backlog;
    return this;
  }

  /**
   * Whether bare CR and LF are let through as message data and LF alone ends a command line
   * (default false: they are refused). Even when lenient, only CRLF.CRLF ends DATA.
   */
  /**
   * The domains whose recipients the engine accepts (default: every domain). RCPT TO for any other
   * domain gets {@code 550 5.1.1} from the engine without a handler call, so that such recipients
   * cost no handler thread; the bare {@code <Postmaster>} is always accepted (RFC 5321, section
   * 4.5.1). Domains match exactly, ignoring ASCII case: a subdomain is another domain, an address
   * literal matches only as written (for example {@code [192.0.2.1]}), and an internationalized
   * domain matches only in the form the client used. Accepted recipients then go to the handler's
   * {@code rcptTo}, which may still refuse them.
   */
  public SmtpServerBuilder acceptedDomains(Collection<String> domains) {
    Set<String> set = new LinkedHashSet<>();
    for (String domain : Objects.requireNonNull(domains, "domains")) {
      String d = Objects.requireNonNull(domain, "domain").strip();
      if (d.isEmpty()) {
        throw new IllegalArgumentException("empty domain in acceptedDomains");
      }
      set.add(d.toLowerCase(Locale.ROOT));
    }
    this.acceptedDomains = Set.copyOf(set);
    return this;
  }

  public SmtpServerBuilder lenientLineEndings(boolean lenient) {
    this.lenientLineEndings = lenient;
    return this;
  }

  /** Whether CHUNKING (BDAT, RFC 3030) is offered (default true). */
  public SmtpServerBuilder chunking(boolean enabled) {
    this.chunking = enabled;
    return this;
  }

  /** Whether SMTPUTF8 (RFC 6531) is offered (default true). */
  public SmtpServerBuilder smtpUtf8(boolean enabled) {
    this.smtpUtf8 = enabled;
    return this;
  }

  /** Whether 8BITMIME (RFC 6152) is offered (default true). */
  public SmtpServerBuilder eightBitMime(boolean enabled) {
    this.eightBitMime = enabled;
    return this;
  }

  /** Whether PIPELINING (RFC 2920) is offered (default true). */
  public SmtpServerBuilder pipelining(boolean enabled) {
    this.pipelining = enabled;
    return this;
  }

  /**
   * Whether REQUIRETLS (RFC 8689) is offered, on TLS sessions only (default false). The MAIL
   * parameter {@code REQUIRETLS} then reaches the handler in the envelope's parameters ({@link
   * Envelope#requireTls()}); without TLS it is refused with {@code 530 5.7.10}. Offer it only if
   * the application relays such messages onward over verified TLS alone, as the RFC requires.
   */
  public SmtpServerBuilder requireTls(boolean enabled) {
    this.requireTls = enabled;
    return this;
  }

  /**
   * Whether DSN (RFC 3461) is offered (default false): {@code RET} and {@code ENVID} on MAIL,
   * {@code NOTIFY} and {@code ORCPT} on RCPT are then accepted when well formed ({@code 501 5.5.4}
   * otherwise) and reach the handler in the envelope's and the recipients' parameters. Sending the
   * notifications is the application's part.
   */
  public SmtpServerBuilder dsn(boolean enabled) {
    this.dsn = enabled;
    return this;
  }

  /**
   * Whether this listener speaks LMTP (RFC 2033) instead of SMTP (default false), for a local
   * delivery agent behind an MTA: {@code LHLO} replaces {@code HELO} and {@code EHLO} (which get
   * {@code 500}), and after the final dot every accepted recipient gets a reply of its own, in RCPT
   * order, from {@link SmtpHandler#lmtpMessage}.
   */
  public SmtpServerBuilder lmtp(boolean enabled) {
    this.lmtp = enabled;
    return this;
  }

  /**
   * Offers XCLIENT, as Postfix's XCLIENT_README describes it, to the peers at these addresses
   * (default: to none, XCLIENT is off): IP addresses, CIDR blocks ({@code 10.0.0.0/8}, {@code
   * 2001:db8::/32}) and {@code unix} for peers on a Unix domain socket. Such a peer, a proxy or an
   * MTA in front of this server, names the client it speaks for ({@code XCLIENT ADDR=192.0.2.7
   * NAME=mail.example.org}); the session then takes that client's address, port, host name,
   * greeting and login, asks the handler's {@code connect} again and greets anew with {@code 220}.
   * XCLIENT is announced after EHLO only to these peers; anyone else gets {@code 550 5.7.0}. As in
   * Postfix, trust follows the client the session names: once XCLIENT has set an address outside
   * these, no further XCLIENT is accepted.
   *
   * @throws IllegalArgumentException when the collection is empty or an entry is none of these
   */
  public SmtpServerBuilder xclient(Collection<String> trustedClients) {
    Objects.requireNonNull(trustedClients, "trustedClients");
    if (trustedClients.isEmpty()) {
      throw new IllegalArgumentException("xclient needs at least one trusted client address");
    }
    TrustedAddresses.of(trustedClients); // throws for an entry that is no address
    this.xclientClients = trustedClients.stream().map(String::strip).toList();
    return this;
  }

  /** Receives events for metrics (default: none). */
  public SmtpServerBuilder observer(SmtpServerObserver observer) {
    this.observer = Objects.requireNonNull(observer, "observer");
    return this;
  }

  /**
   * Offers TLS: through STARTTLS (RFC 3207) or from the first octet (implicit TLS, RFC 8314). The
   * supplier is asked on the event loop for every new connection or STARTTLS, so it must return
   * quickly (a kept context); returning a new context rotates certificates without a restart.
   * Protocols, ciphers and the client certificate policy ({@code ClientAuth}) are the context's;
   * {@link io.smtpprotocol.tls.SslContexts} builds one with safe defaults.
   */
  public SmtpServerBuilder tls(TlsMode mode, @Nullable Supplier<SslContext> context) {
    this.tlsMode = Objects.requireNonNull(mode, "mode");
    this.sslContext = context;
    return this;
  }

  /**
   * Whether MAIL and AUTH are refused until the connection is encrypted (default false): {@code 530
   * 5.7.0 Must issue a STARTTLS command first}.
   */
  public SmtpServerBuilder tlsRequired(boolean required) {
    this.tlsRequired = required;
    return this;
  }

  /** Checks AUTH credentials; setting one turns AUTH (RFC 4954) on (default: none, AUTH off). */
  public SmtpServerBuilder authenticator(@Nullable Authenticator authenticator) {
    this.authenticator = authenticator;
    return this;
  }

  /**
   * The SASL mechanisms to offer, in order: any of {@code PLAIN}, {@code LOGIN}, {@code CRAM-MD5},
   * {@code XOAUTH2}, {@code SCRAM-SHA-256}, or the name of one given to {@link
   * #saslMechanism(SaslMechanism)} (default: those the authenticator implements, then the
   * application's own).
   */
  public SmtpServerBuilder authMechanisms(Collection<String> mechanisms) {
    List<String> names = new ArrayList<>();
    for (String m : mechanisms) {
      names.add(m.toUpperCase(Locale.ROOT));
    }
    this.authMechanisms = List.copyOf(names);
    return this;
  }

  /**
   * Adds a SASL mechanism of the application's own (for example EXTERNAL or OAUTHBEARER), offered
   * when AUTH is on (an authenticator is set; the mechanism gets it, and may use it or not). Its
   * name must be a valid SASL name and not one of the built-in ones; the server fails to build
   * otherwise.
   */
  public SmtpServerBuilder saslMechanism(SaslMechanism mechanism) {
    ownMechanisms.add(Objects.requireNonNull(mechanism, "mechanism"));
    return this;
  }

  /** Whether MAIL is refused until the client authenticates: {@code 530 5.7.0} (default false). */
  public SmtpServerBuilder authRequired(boolean required) {
    this.authRequired = required;
    return this;
  }

  /**
   * Whether AUTH is offered on connections without TLS (default false: it is neither advertised nor
   * accepted there, {@code 538 5.7.11}).
   */
  public SmtpServerBuilder allowInsecureAuth(boolean allow) {
    this.allowInsecureAuth = allow;
    return this;
  }

  /** Failed AUTH attempts after which the session gets {@code 421} and is closed (default 3). */
  public SmtpServerBuilder maxAuthFailures(int failures) {
    this.maxAuthFailures = failures;
    return this;
  }

  /**
   * How long the reply to a first failed AUTH waits (default 1 second); the delay doubles with
   * every further failure of the session.
   */
  public SmtpServerBuilder authFailureDelay(Duration delay) {
    this.authFailureDelay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /**
   * The budget of failed AUTH attempts per client address, over all its connections (default 10 in
   * 10 minutes): past it, AUTH from that address is refused with {@code 454 4.7.0} until the window
   * that began with its first failure has passed. IPv6 clients count by /64 prefix.
   */
  public SmtpServerBuilder authFailuresPerAddress(int failures, Duration window) {
    this.maxAddressAuthFailures = failures;
    this.addressAuthFailureWindow = Objects.requireNonNull(window, "window");
    return this;
  }

  /**
   * Expects every connection to begin with a PROXY protocol header (HAProxy's, version 1 text or
   * version 2 binary) from one of these proxies (default: off). Entries are IP addresses, CIDR
   * blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or {@code unix} for peers on a Unix domain
   * socket; nothing is looked up in DNS. The client address the header names then stands for the
   * connection everywhere: per-address connection limits and AUTH failures, {@link
   * SessionInfo#remoteAddress()}, handler events and the transcript ({@code LOCAL} and {@code
   * UNKNOWN} headers keep the proxy's own address). A connection from any other peer, or without a
   * well-formed header within {@link #proxyHeaderTimeout(Duration)}, is closed without a greeting.
   * On an implicit TLS listener the header comes before the TLS handshake.
   *
   * @throws IllegalArgumentException if the collection is empty or an entry is not an IP address, a
   *     CIDR block or {@code unix}
   */
  public SmtpServerBuilder proxyProtocol(Collection<String> trustedProxies) {
    Objects.requireNonNull(trustedProxies, "trustedProxies");
    if (trustedProxies.isEmpty()) {
      throw new IllegalArgumentException("trustedProxies must name at least one proxy");
    }
    this.trustedProxies = TrustedAddresses.of(trustedProxies);
    return this;
  }

  /** How long a connection has to send its whole PROXY header (default 5 seconds). */
  public SmtpServerBuilder proxyHeaderTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("proxyHeaderTimeout must be positive: " + timeout);
    }
    this.proxyHeaderTimeout = timeout;
    return this;
  }

  public SmtpServer build() {
    return new SmtpServer(
        new ServerConfig(
            domain,
            greeting,
            address,
            port,
            unixSocket,
            limits,
            handlerThreads,
            ioThreads,
            transport,
            backlog,
            lenientLineEndings,
            acceptedDomains,
            chunking,
            smtpUtf8,
            eightBitMime,
            pipelining,
            requireTls,
            dsn,
            lmtp,
            xclientClients,
            new TlsSettings(tlsMode, sslContext, tlsRequired),
            new AuthSettings(
                authenticator,
                authMechanisms,
                authRequired,
                allowInsecureAuth,
                maxAuthFailures,
                authFailureDelay,
                maxAddressAuthFailures,
                addressAuthFailureWindow,
                ownMechanisms)),
        new ServerParts(handler, handlerExecutor, observer),
        trustedProxies == null ? null : new ProxyProtocol(trustedProxies, proxyHeaderTimeout));
  }
}
