package io.smtpprotocol.test;

import io.smtpprotocol.auth.AuthResult;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.tls.TlsMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An SMTP server for tests, in the spirit of OkHttp's MockWebServer: it accepts mail on a random
 * loopback port, records every message as a {@link ReceivedMessage}, and can be scripted to fail
 * the way real servers do, so that a sender's error paths can be tested.
 *
 * <pre>{@code
 * @RegisterExtension
 * static SmtpTestServer smtp = SmtpTestServer.create();
 *
 * @Test
 * void sendsWelcomeMail() throws Exception {
 *   mailer.sendWelcome("ann@example.com", smtp.host(), smtp.port());
 *   ReceivedMessage m = smtp.takeMessage(Duration.ofSeconds(5));
 *   assertThat(m.recipients()).containsExactly("ann@example.com");
 *   assertThat(m.subject()).isEqualTo("Welcome");
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> As a JUnit extension in a {@code static} field the server starts before the
 * class's first test and stops after its last; before each test it is {@link #reset()}, so every
 * test starts with no messages and no script. In an instance field it starts before each test and
 * stops after it. Used by hand, call {@link #start()} and {@link #close()}. A stopped server may be
 * started again, on a new port.
 *
 * <p><b>TLS.</b> By default STARTTLS is offered with a certificate generated when the server is
 * built, for {@code localhost} and {@code 127.0.0.1}; give the client under test {@link
 * #sslContext()} or {@link #trustStore()}. {@link Builder#tls(TlsMode)} switches to implicit TLS or
 * to plaintext only.
 *
 * <p><b>AUTH.</b> PLAIN, LOGIN and CRAM-MD5 are offered for the users given with {@link
 * Builder#user(String, String)} or {@link #addUser(String, String)}, also without TLS (unlike the
 * engine's default, since the server listens on loopback only). Failed attempts are answered at
 * once, not after the engine's growing delay.
 *
 * <p><b>Bounds.</b> Messages are limited in size like the engine's ({@link Limits}, 10 MiB by
 * default). The server keeps at most {@link Builder#maxMessages(int)} messages (1000 by default)
 * and {@link Builder#maxRetainedSize(long)} octets (64 MiB by default); once either is reached,
 * further messages are refused with {@code 452 4.3.1} until the test takes them away with {@link
 * #reset()}. Nothing is dropped silently.
 *
 * <p><b>Isolation.</b> Each instance owns its event loops, threads, certificate and messages;
 * nothing is static, so several servers run side by side in one JVM and in parallel test classes.
 * One server's methods may be called from any thread.
 */
public final class SmtpTestServer
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AutoCloseable {

  /** The SASL mechanisms offered. */
  static final List<String> MECHANISMS = List.of("PLAIN", "LOGIN", "CRAM-MD5");

  /**
   * Failed AUTH attempts before the session is closed: more than the engine's default, because some
   * senders (Python's smtplib) try every offered mechanism before they give up.
   */
  static final int MAX_AUTH_FAILURES = 5;

  /** The events whose reply {@link #delayReply} can delay. */
  static final Set<SmtpHandler.Event> DELAYABLE =
      Set.copyOf(
          EnumSet.of(
              SmtpHandler.Event.CONNECT,
              SmtpHandler.Event.GREETING,
              SmtpHandler.Event.AUTH,
              SmtpHandler.Event.MAIL_FROM,
              SmtpHandler.Event.RCPT_TO,
              SmtpHandler.Event.DATA,
              SmtpHandler.Event.MESSAGE));

  /**
   * The engine's defaults, except that one client address may use every connection: all clients of
   * a test server come from the loopback address.
   */
  static final Limits DEFAULT_LIMITS =
      Limits.DEFAULTS.withMaxConnectionsPerIp(Limits.DEFAULTS.maxConnections());

  static final Reply STORE_FULL =
      Reply.of(452, "4.3.1", "Test server keeps no more messages; reset it");
  static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0", "Authentication required");
  static final Reply TLS_REFUSED = Reply.of(454, "4.7.0", "TLS not available");

  private final String domain;
  private final InetAddress address;
  private final int fixedPort;
  private final TlsMode tlsMode;
  private final boolean tlsRequired;
  private final boolean authRequired;
  private final boolean allowInsecureAuth;
  private final Limits limits;
  private final Map<String, String> initialUsers;
  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final GeneratedCertificate certificate;
  private final Inbox inbox;
  private final Script script = new Script();
  private volatile @Nullable SmtpServer engine;
  private volatile @Nullable Relay relay;
  private int classScopes;
  private boolean stopped;

  private SmtpTestServer(Builder b) {
    this.domain = b.domain;
    this.address = b.address;
    this.fixedPort = b.port;
    this.tlsMode = b.tlsMode;
    this.tlsRequired = b.tlsRequired;
    this.authRequired = b.authRequired;
    this.allowInsecureAuth = b.allowInsecureAuth;
    this.limits = b.limits;
    this.initialUsers = Map.copyOf(b.users);
    this.users.putAll(initialUsers);
    this.certificate = GeneratedCertificate.create(b.domain);
    this.inbox = new Inbox(b.maxMessages, b.maxRetainedSize);
  }

  /** A server with the defaults: random loopback port, STARTTLS with a generated certificate. */
  public static SmtpTestServer create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the server if it is not running; returns this server. */
  public synchronized SmtpTestServer start() {
    if (engine != null) {
      return this;
    }
    stopped = false;
    SmtpServer server =
        SmtpServer.builder()
            .domain(domain)
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .ioThreads(1)
            .handlerThreads(64)
            .limits(limits)
            .handler(new Recorder())
            .tls(tlsMode, tlsMode == TlsMode.NONE ? null : certificate::serverContext)
            .tlsRequired(tlsRequired)
            .authenticator(new Users())
            .authMechanisms(MECHANISMS)
            .allowInsecureAuth(allowInsecureAuth)
            .authRequired(authRequired)
            .maxAuthFailures(MAX_AUTH_FAILURES)
            .authFailureDelay(Duration.ZERO)
            .build()
            .start();
    try {
      relay =
          new Relay(
              address,
              fixedPort,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    engine = server;
    return this;
  }

  /** Stops the server, closing open connections; kept messages stay readable. */
  @Override
  public synchronized void close() {
    Relay r = relay;
    SmtpServer s = engine;
    relay = null;
    engine = null;
    stopped = true;
    if (r != null) {
      r.close();
    }
    if (s != null) {
      s.shutdownGracefully(Duration.ofSeconds(1)).orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  /** Whether the server is running. */
  public synchronized boolean isRunning() {
    return engine != null;
  }

  /**
   * Forgets every message and every script, and the users added with {@link #addUser}; the server
   * keeps running on its port with its certificate.
   */
  public void reset() {
    script.clear();
    inbox.clear();
    users.clear();
    users.putAll(initialUsers);
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    classScopes++;
    start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--classScopes <= 0) {
      classScopes = 0;
      close();
    }
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (classScopes > 0 && engine != null) {
      reset();
    } else {
      reset();
      start();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (classScopes == 0) {
      close();
    }
  }

  // ---------------------------------------------------------------- where to connect

  /** The host to connect to: the loopback address as a literal, e.g. {@code 127.0.0.1}. */
  public String host() {
    return address.getHostAddress();
  }

  /**
   * The port to connect to. A server that was never started starts now; a stopped one does not
   * restart by itself.
   *
   * @throws IllegalStateException when the server was stopped
   */
  public int port() {
    Relay r;
    synchronized (this) {
      if (relay == null && !stopped) {
        start();
      }
      r = relay;
    }
    if (r == null) {
      throw new IllegalStateException("the test server is stopped; start() it again");
    }
    return r.port();
  }

  /** {@link #host()} and {@link #port()} as a socket address. */
  public InetSocketAddress address() {
    return new InetSocketAddress(address, port());
  }

  /** The name in the greeting, the EHLO reply and the certificate. */
  public String domain() {
    return domain;
  }

  /** How the server offers TLS. */
  public TlsMode tlsMode() {
    return tlsMode;
  }

  /** A client TLS context that trusts this server's certificate (and nothing else). */
  public SSLContext sslContext() {
    return certificate.clientContext();
  }

  /**
   * A PKCS#12 key store, password empty, whose one trusted entry is the root that issued this
   * server's certificate (made for this server alone).
   */
  public KeyStore trustStore() {
    return certificate.trustStore();
  }

  /** The server's generated certificate. */
  public X509Certificate certificate() {
    return certificate.certificate();
  }

  /** The root of {@link #trustStore()} in PEM, for clients that read a CA file (Python, curl). */
  public String trustedCertificatePem() {
    return certificate.rootPem();
  }

  // ---------------------------------------------------------------- received messages

  /**
   * The next message not taken yet, waiting up to {@code timeout} for it to arrive.
   *
   * @throws AssertionError when none arrives in time (the test fails with a clear message)
   */
  public ReceivedMessage takeMessage(Duration timeout) throws InterruptedException {
    return pollMessage(timeout)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no message arrived within "
                        + timeout
                        + " ("
                        + inbox.size()
                        + " received since start or reset)"));
  }

  /** The next message not taken yet, or empty when none arrives within {@code timeout}. */
  public Optional<ReceivedMessage> pollMessage(Duration timeout) throws InterruptedException {
    return inbox.poll(timeout);
  }

  /** Every message accepted since start or reset, taken or not, in order of arrival. */
  public List<ReceivedMessage> messages() {
    return inbox.all();
  }

  /**
   * Waits until {@code count} messages have arrived since start or reset; returns the first {@code
   * count}.
   *
   * @throws AssertionError when fewer arrive within {@code timeout}
   */
  public List<ReceivedMessage> awaitMessages(int count, Duration timeout)
      throws InterruptedException {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    if (count > inbox.maxMessages()) {
      throw new IllegalArgumentException(
          "count exceeds maxMessages (" + inbox.maxMessages() + "): " + count);
    }
    return inbox
        .await(count, timeout)
        .orElseThrow(
            () ->
                new AssertionError(
                    "expected " + count + " messages within " + timeout + ", got " + inbox.size()));
  }

  // ---------------------------------------------------------------- scripts

  /** Refuses RCPT TO for this address (ignoring case) with {@code 550 5.1.1 No such user}. */
  public SmtpTestServer rejectRecipient(String address) {
    return rejectRecipient(address, 550, "5.1.1", "No such user");
  }

  /** Refuses RCPT TO for this address (ignoring case) with this reply (a 4xx or 5xx). */
  public SmtpTestServer rejectRecipient(
      String address, int code, String enhancedStatus, String text) {
    script.rejectRecipient(
        Objects.requireNonNull(address, "address"), failure(code, enhancedStatus, text));
    return this;
  }

  /**
   * Answers the {@code number}th message (counting from 1 the messages whose content arrives after
   * start or the last reset) with this reply instead of {@code 250}. A 4xx or 5xx refuses it and it
   * is not kept; a 2xx keeps it with this reply's text.
   */
  public SmtpTestServer replyToMessage(int number, int code, String enhancedStatus, String text) {
    positive(number, "number");
    script.replyToMessage(number, Reply.of(code, enhancedStatus, text));
    return this;
  }

  /**
   * Closes the connection of the {@code number}th message (counted as in {@link #replyToMessage})
   * while its content arrives, without a reply: after the whole content for a message smaller than
   * the engine's body buffer ({@link Limits#bodyBufferSize()}, 32 KiB by default), so that the
   * sender cannot know whether it was delivered; in the middle of a larger one. The message is not
   * kept.
   */
  public SmtpTestServer dropConnectionDuringData(int number) {
    positive(number, "number");
    script.dropDuringData(number);
    return this;
  }

  /**
   * Delays the server's answer to every event of this kind: {@code CONNECT} (the greeting), {@code
   * GREETING} (the EHLO reply), {@code AUTH}, {@code MAIL_FROM}, {@code RCPT_TO}, {@code DATA} (the
   * 354) or {@code MESSAGE} (the reply after the content).
   */
  public SmtpTestServer delayReply(SmtpHandler.Event event, Duration delay) {
    if (!DELAYABLE.contains(Objects.requireNonNull(event, "event"))) {
      throw new IllegalArgumentException("event must be one of " + DELAYABLE + ": " + event);
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    script.delay(event, delay);
    return this;
  }

  /** Answers STARTTLS with {@code 454 4.7.0 TLS not available} (it is still advertised). */
  public SmtpTestServer refuseStartTls() {
    script.refuseStartTls(true);
    return this;
  }

  /** Refuses MAIL FROM before AUTH with {@code 530 5.7.0 Authentication required}. */
  public SmtpTestServer requireAuth() {
    script.requireAuth(true);
    return this;
  }

  /** Adds (or changes) a user AUTH accepts, until the next {@link #reset()}. */
  public SmtpTestServer addUser(String user, String password) {
    users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
    return this;
  }

  private static Reply failure(int code, String enhancedStatus, String text) {
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("code must be 4xx or 5xx: " + code);
    }
    return Reply.of(code, enhancedStatus, text);
  }

  private static void positive(int number, String name) {
    if (number < 1) {
      throw new IllegalArgumentException(name + " must be at least 1: " + number);
    }
  }

  @Override
  public String toString() {
    Relay r;
    synchronized (this) {
      r = relay;
    }
    return "SmtpTestServer["
        + host()
        + ":"
        + (r == null ? "stopped" : r.port())
        + ", "
        + tlsMode
        + "]";
  }

  // ---------------------------------------------------------------- the engine's side

  private CompletionStage<Decision> answer(SmtpHandler.Event event, Decision decision) {
    Duration delay = script.delayOf(event);
    if (delay == null || delay.isZero()) {
      return decision.asStage();
    }
    return CompletableFuture.supplyAsync(
        () -> decision, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Records messages and plays the script. */
  private final class Recorder implements SmtpHandler {

    @Override
    public Set<Event> handledEvents() {
      return EnumSet.of(
          Event.CONNECT,
          Event.GREETING,
          Event.AUTH,
          Event.MAIL_FROM,
          Event.RCPT_TO,
          Event.DATA,
          Event.MESSAGE,
          Event.COMMAND);
    }

    @Override
    public CompletionStage<Decision> connect(SessionInfo session) {
      return answer(Event.CONNECT, Decision.accept());
    }

    @Override
    public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
      return answer(Event.GREETING, Decision.accept());
    }

    @Override
    public CompletionStage<Optional<Reply>> command(
        SessionInfo session, String verb, String argument) {
      if (verb.equals("STARTTLS") && script.refusesStartTls() && !session.isTls()) {
        return CompletableFuture.completedStage(Optional.of(TLS_REFUSED));
      }
      return CompletableFuture.completedStage(Optional.empty());
    }

    @Override
    public CompletionStage<Decision> auth(SessionInfo session, String mechanism, String identity) {
      return answer(Event.AUTH, Decision.accept());
    }

    @Override
    public CompletionStage<Decision> mailFrom(
        SessionInfo session, ReversePath from, MailParameters parameters) {
      if (script.requiresAuth() && !session.isAuthenticated()) {
        return answer(Event.MAIL_FROM, Decision.reject(AUTH_REQUIRED));
      }
      return answer(Event.MAIL_FROM, Decision.accept());
    }

    @Override
    public CompletionStage<Decision> rcptTo(
        SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
      Reply reply = script.recipientReply(to.address());
      return answer(Event.RCPT_TO, reply == null ? Decision.accept() : Decision.reject(reply));
    }

    @Override
    public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
      // refuse before the content is sent when nothing more can be kept
      return answer(Event.DATA, inbox.fits(0) ? Decision.accept() : Decision.reject(STORE_FULL));
    }

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      int number = script.nextMessage();
      if (script.dropsDuringData(number)) {
        Relay r = relay;
        if (r != null) {
          r.drop(session.remoteAddress());
        }
        return Decision.reject(451, "4.4.2", "Connection dropped by script").asStage();
      }
      byte[] raw;
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.transferTo(out);
        raw = out.toByteArray();
      } catch (IOException e) {
        // too large, malformed or lost: the engine sends its own reply
        return Decision.reject(451, "4.3.0", "Message not received").asStage();
      }
      Reply scripted = script.messageReply(number);
      if (scripted != null && !scripted.isPositive()) {
        return answer(Event.MESSAGE, Decision.reject(scripted));
      }
      Relay r = relay;
      SessionInfo client =
          r == null
              ? session
              : r.clientOf(session.remoteAddress())
                  .map(
                      address ->
                          new SessionInfo(
                              session.id(),
                              address,
                              session.localAddress(),
                              session.connectedAt(),
                              session.hello(),
                              session.tls(),
                              session.authenticatedUser(),
                              session.clientName()))
                  .orElse(session);
      if (!inbox.add(new ReceivedMessage(number, client, envelope, raw))) {
        return answer(Event.MESSAGE, Decision.reject(STORE_FULL));
      }
      return answer(
          Event.MESSAGE, scripted == null ? Decision.accept() : Decision.accept(scripted));
    }
  }

  /** Checks AUTH against this server's users. */
  private final class Users implements Authenticator {
    @Override
    public CompletionStage<AuthResult> password(
        SessionInfo session, String username, String password, String authorizationId) {
      String expected = users.get(username);
      boolean ok =
          expected != null
              && expected.equals(password)
              && (authorizationId.isEmpty() || authorizationId.equals(username));
      return (ok ? AuthResult.success(username) : AuthResult.failure()).asStage();
    }

    @Override
    public CompletionStage<Optional<String>> clearTextPassword(
        SessionInfo session, String username) {
      return CompletableFuture.completedStage(Optional.ofNullable(users.get(username)));
    }
  }

  // ---------------------------------------------------------------- builder

  /** Settings fixed for the server's life; scripts are set on the server itself. */
  public static final class Builder {
    private String domain = "localhost";
    private InetAddress address = InetAddress.getLoopbackAddress();
    private int port;
    private TlsMode tlsMode = TlsMode.STARTTLS;
    private boolean tlsRequired;
    private boolean authRequired;
    private boolean allowInsecureAuth = true;
    private Limits limits = DEFAULT_LIMITS;
    private int maxMessages = 1000;
    private long maxRetainedSize = 64L * 1024 * 1024;
    private final Map<String, String> users = new LinkedHashMap<>();

    private Builder() {}

    /** The name in the greeting and in the certificate (default {@code localhost}). */
    public Builder domain(String domain) {
      if (domain.isBlank() || domain.chars().anyMatch(c -> c <= ' ' || c == 127)) {
        throw new IllegalArgumentException("domain must be a host name: " + domain);
      }
      this.domain = domain.toLowerCase(Locale.ROOT);
      return this;
    }

    /** The address to listen on (default: the loopback address). */
    public Builder address(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** A fixed port (default 0: a free port, see {@link SmtpTestServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** How TLS is offered (default {@link TlsMode#STARTTLS}). */
    public Builder tls(TlsMode mode) {
      this.tlsMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Whether MAIL and AUTH are refused before STARTTLS with {@code 530 5.7.0} (default false). */
    public Builder tlsRequired(boolean required) {
      this.tlsRequired = required;
      return this;
    }

    /** Whether MAIL is refused before AUTH, for the server's whole life (default false). */
    public Builder authRequired(boolean required) {
      this.authRequired = required;
      return this;
    }

    /** Whether AUTH is offered without TLS (default true: the server is on loopback). */
    public Builder allowInsecureAuth(boolean allow) {
      this.allowInsecureAuth = allow;
      return this;
    }

    /** A user AUTH accepts. */
    public Builder user(String user, String password) {
      users.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"));
      return this;
    }

    /**
     * The engine's limits: message size, recipients, line length, timeouts (default {@link
     * Limits#DEFAULTS} with {@code maxConnectionsPerIp} raised to {@code maxConnections}, since
     * every client comes from loopback).
     */
    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Shorthand for the largest message in octets (default 10 MiB, advertised as SIZE). */
    public Builder maxMessageSize(long octets) {
      this.limits = limits.withMaxMessageSize(octets);
      return this;
    }

    /** The most messages kept (default 1000); beyond, messages get {@code 452 4.3.1}. */
    public Builder maxMessages(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxMessages must be at least 1: " + count);
      }
      this.maxMessages = count;
      return this;
    }

    /** The most octets kept over all messages (default 64 MiB); beyond, {@code 452 4.3.1}. */
    public Builder maxRetainedSize(long octets) {
      if (octets < 1) {
        throw new IllegalArgumentException("maxRetainedSize must be positive: " + octets);
      }
      this.maxRetainedSize = octets;
      return this;
    }

    /** A new, not yet started server (the JUnit extension starts it, or call {@code start()}). */
    public SmtpTestServer build() {
      return new SmtpTestServer(this);
    }
  }
}
