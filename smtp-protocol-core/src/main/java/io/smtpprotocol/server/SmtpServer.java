package io.smtpprotocol.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.tls.TlsMode;
import io.smtpprotocol.tls.TlsSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP server on Netty. Build one with {@link #builder()}, then {@link #start()} it:
 *
 * <pre>{@code
 * SmtpServer server = SmtpServer.builder()
 *     .domain("mx.example.com")
 *     .port(2525)
 *     .handler(new SmtpHandler() {
 *       public CompletionStage<Decision> message(SessionInfo s, Envelope e, MessageBody body) {
 *         body.transferTo(OutputStream.nullOutputStream());
 *         return Decision.acceptStage();
 *       }
 *     })
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Each server owns its event loops, handler executor and counters; two servers in one JVM share
 * nothing.
 */
public final class SmtpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpServer.class);

  private final ServerConfig config;
  private final AtomicInteger connections = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
  private final AtomicLong sessionIds = new AtomicLong();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile State state = State.NEW;
  private @Nullable EventLoopGroup bossGroup;
  private @Nullable EventLoopGroup workerGroup;
  private @Nullable ExecutorService ownedExecutor;
  private @Nullable Executor executor;
  private @Nullable Channel serverChannel;
  private @Nullable ChannelGroup sessions;

  private enum State {
    NEW,
    RUNNING,
    DRAINING,
    STOPPED
  }

  private final HandlerOverrides overrides;
  private final Reply greetingReply;
  private final Reply heloReply;
  private final Reply ehloReply;
  private final Reply ehloReplyTls;
  private final Map<String, SaslMechanism> mechanisms;
  private final AddressFailures authFailures;
  private final TrustedAddresses xclientClients;
  private final WarningLimiter warnings = new WarningLimiter(10, TimeUnit.SECONDS.toNanos(10));
  private final @Nullable ProxyProtocol proxyProtocol;

  private SmtpServer(ServerConfig config, @Nullable ProxyProtocol proxyProtocol) {
    this.config = config;
    this.proxyProtocol = proxyProtocol;
    this.authFailures =
        new AddressFailures(
            config.auth().maxAddressFailures(),
            config.auth().addressFailureWindow(),
            AddressFailures.DEFAULT_CAPACITY);
    this.overrides = HandlerOverrides.of(config.handler());
    this.xclientClients = TrustedAddresses.of(config.xclientClients());
    this.greetingReply =
        Reply.of(220, config.domain() + (config.lmtp() ? " LMTP " : " ESMTP ") + config.greeting());
    this.heloReply = Reply.of(250, config.domain());
    List<String> ehlo = new ArrayList<>();
    ehlo.add(config.domain());
    if (config.pipelining()) {
      ehlo.add("PIPELINING");
    }
    ehlo.add("SIZE " + config.limits().maxMessageSize());
    if (config.eightBitMime()) {
      ehlo.add("8BITMIME");
    }
    ehlo.add("ENHANCEDSTATUSCODES");
    if (config.smtpUtf8()) {
      ehlo.add("SMTPUTF8");
    }
    if (config.chunking()) {
      ehlo.add("CHUNKING");
    }
    if (config.dsn()) {
      ehlo.add("DSN");
    }
    // RFC 9422: the limits this server applies in every session
    int mailMax = config.limits().maxMessagesPerSession();
    ehlo.add(
        "LIMITS RCPTMAX="
            + config.limits().maxRecipients()
            + (mailMax > 0 ? " MAILMAX=" + mailMax : ""));
    Map<String, SaslMechanism> offered = new LinkedHashMap<>();
    for (String name : config.auth().offeredMechanisms()) {
      offered.put(name, SaslMechanism.of(name).orElseThrow());
    }
    this.mechanisms = Map.copyOf(offered);
    String authLine = offered.isEmpty() ? null : "AUTH " + String.join(" ", offered.keySet());
    List<String> plain = new ArrayList<>(ehlo);
    if (config.tls().mode() == TlsMode.STARTTLS) {
      plain.add("STARTTLS");
    }
    if (authLine != null && config.auth().allowInsecure()) {
      plain.add(authLine);
    }
    List<String> secure = new ArrayList<>(ehlo);
    if (config.requireTls()) {
      secure.add("REQUIRETLS");
    }
    if (authLine != null) {
      secure.add(authLine);
    }
    this.ehloReply = Reply.multiline(250, plain);
    this.ehloReplyTls = Reply.multiline(250, secure);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts serving.
   *
   * @return this server
   * @throws IllegalStateException if already started
   * @throws SmtpServerException if binding fails (for example the port is taken)
   */
  public synchronized SmtpServer start() {
    if (state != State.NEW) {
      throw new IllegalStateException("server already started");
    }
    boolean epoll = useEpoll();
    if (config.unixSocket() != null && !epoll) {
      throw new IllegalStateException("a Unix domain socket needs the epoll transport (Linux)");
    }
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("smtp-accept", true), io);
    workerGroup =
        new MultiThreadIoEventLoopGroup(
            config.ioThreads(), new DefaultThreadFactory("smtp-io", true), io);
    Executor ex = config.handlerExecutor();
    if (ex == null) {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              0,
              config.handlerThreads(),
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              new DefaultThreadFactory("smtp-handler", true));
      ownedExecutor = pool;
      ex = pool;
    }
    executor = ex;
    sessions = new DefaultChannelGroup("smtp-sessions", GlobalEventExecutor.INSTANCE);
    Class<? extends ServerChannel> channelClass;
    SocketAddress bindAddress;
    if (config.unixSocket() != null) {
      channelClass = EpollServerDomainSocketChannel.class;
      bindAddress = new DomainSocketAddress(config.unixSocket().toFile());
    } else {
      channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      bindAddress =
          config.address() == null
              ? new InetSocketAddress(config.port())
              : new InetSocketAddress(config.address(), config.port());
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, config.backlog())
            .childOption(
                ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, 32 * 1024))
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    config.limits().writeBufferSize() / 2, config.limits().writeBufferSize()))
            .childHandler(new SmtpServerInitializer(this));
    if (config.unixSocket() == null) {
      // Replies are small: a socket send buffer the size of the write buffer (instead of the
      // kernel's autotuned megabytes) keeps what a client that does not read costs small too.
      bootstrap
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.SO_SNDBUF, config.limits().writeBufferSize());
    }
    try {
      if (config.unixSocket() != null) {
        Files.deleteIfExists(config.unixSocket());
      }
      serverChannel = bootstrap.bind(bindAddress).syncUninterruptibly().channel();
    } catch (Exception e) {
      shutdownResources();
      state = State.STOPPED;
      terminated.complete(null);
      throw new SmtpServerException("cannot bind SMTP server to " + describe(bindAddress) + ": " + e.getMessage(), e);
    }
    state = State.RUNNING;
    log.info(
        "SMTP server {} listening on {} ({} transport)",
        config.domain(),
        describe(serverChannel.localAddress()),
        epoll ? "epoll" : "nio");
    return this;
  }

  private boolean useEpoll() {
    switch (config.transport()) {
      case NIO:
        return false;
      case EPOLL:
        Epoll.ensureAvailability();
        return true;
      default:
        return Epoll.isAvailable();
    }
  }

  private static String describe(SocketAddress address) {
    if (address instanceof DomainSocketAddress d) {
      return "unix:" + d.path();
    }
    return String.valueOf(address);
  }

  /** The bound TCP port (useful with port 0), or -1 for a Unix domain socket. */
  public int port() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw new IllegalStateException("server not started");
    }
    return ch.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
  }

  /** The bound address. */
  public SocketAddress localAddress() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw new IllegalStateException("server not started");
    }
    return ch.localAddress();
  }

  /** The server's configuration. */
  public ServerConfig config() {
    return config;
  }

  /** Open connections now. */
  public int activeSessions() {
    return connections.get();
  }

  /** Whether the server accepts connections. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Whether the server is finishing its transactions before it stops. */
  public boolean isDraining() {
    return state == State.DRAINING;
  }

  /**
   * Stops accepting connections, lets transactions in progress finish, answers every other session
   * with {@code 421 4.3.2} and closes it. Sessions still busy when {@code timeout} runs out are
   * closed too. The stage completes when all is released.
   */
  public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
    Channel listener;
    ChannelGroup group;
    synchronized (this) {
      if (state == State.NEW) {
        state = State.STOPPED;
        terminated.complete(null);
        return terminated;
      }
      if (state != State.RUNNING) {
        return terminated;
      }
      state = State.DRAINING;
      listener = serverChannel;
      group = sessions;
    }
    log.info("SMTP server {} draining ({} sessions)", config.domain(), connections.get());
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    if (group == null || group.isEmpty()) {
      finishShutdown();
      return terminated;
    }
    CompletableFuture<Void> allClosed = new CompletableFuture<>();
    AtomicInteger remaining = new AtomicInteger(group.size());
    for (Channel ch : group) {
      ch.closeFuture()
          .addListener(
              f -> {
                if (remaining.decrementAndGet() == 0) {
                  allClosed.complete(null);
                }
              });
      SmtpSession session = ch.pipeline().get(SmtpSession.class);
      if (session != null) {
        ch.eventLoop().execute(session::drain);
      } else {
        ch.close();
      }
    }
    allClosed
        .orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
        .whenComplete(
            (v, ex) -> {
              if (ex != null) {
                for (Channel ch : group) {
                  SmtpSession session = ch.pipeline().get(SmtpSession.class);
                  if (session != null) {
                    ch.eventLoop().execute(session::forceClose);
                  } else {
                    ch.close();
                  }
                }
                group.newCloseFuture().addListener(f -> finishShutdown());
              } else {
                finishShutdown();
              }
            });
    return terminated;
  }

  private void finishShutdown() {
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
      state = State.STOPPED;
    }
    shutdownResources();
    if (config.unixSocket() != null) {
      try {
        Files.deleteIfExists(config.unixSocket());
      } catch (Exception e) {
        log.debug("could not delete {}", config.unixSocket(), e);
      }
    }
    log.info("SMTP server {} stopped", config.domain());
    terminated.complete(null);
  }

  private void shutdownResources() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (workerGroup != null) {
      workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  /** Closes at once: sessions get {@code 421 4.3.2}; waits until all is released. */
  @Override
  public void close() {
    shutdownGracefully(Duration.ZERO).join();
  }

  /** Stage completing when the server has stopped. */
  public CompletableFuture<Void> terminationFuture() {
    return terminated;
  }

  // ---------------------------------------------------------------- used by sessions

  HandlerOverrides overrides() {
    return overrides;
  }

  Reply greetingReply() {
    return greetingReply;
  }

  Reply heloReply() {
    return heloReply;
  }

  /** The EHLO reply on a plaintext connection, or on an encrypted one. */
  /**
   * The EHLO keywords this server offers (with their parameters, for example {@code SIZE
   * 10485760}), on a plaintext session or on a TLS one; computed once when the server is built.
   */
  public List<String> extensions(boolean tls) {
    List<String> lines = ehloReply(tls).lines();
    return lines.subList(1, lines.size());
  }

  Reply ehloReply(boolean tls) {
    return tls ? ehloReplyTls : ehloReply;
  }

  /** The offered SASL mechanism of this name (upper case), or null. */
  @Nullable SaslMechanism mechanism(String name) {
    return mechanisms.get(name);
  }

  /**
   * A new {@link SslHandler} from the current SSL context (asked anew for every connection, which
   * is how certificates rotate). With {@code startTls} the first write, the {@code 220}, passes in
   * plaintext.
   */
  SslHandler newSslHandler(Channel ch, boolean startTls) {
    Supplier<SslContext> supplier = config.tls().context();
    if (supplier == null) {
      throw new IllegalStateException("TLS is not configured");
    }
    SslContext context = Objects.requireNonNull(supplier.get(), "the SSL context supplier returned null");
    return new SslHandler(context.newEngine(ch.alloc()), startTls);
  }

  boolean acceptsSessions() {
    return state == State.RUNNING;
  }

  /** The PROXY protocol of this listener, or null when it is off. */
  @Nullable ProxyProtocol proxyProtocol() {
    return proxyProtocol;
  }

  Executor executor() {
    Executor ex = executor;
    if (ex == null) {
      throw new IllegalStateException("server not started");
    }
    return ex;
  }

  void register(Channel ch) {
    ChannelGroup group = sessions;
    if (group != null) {
      group.add(ch);
    }
  }

  /** Limits the warnings that clients can provoke. */
  WarningLimiter warnings() {
    return warnings;
  }

  /** Whether AUTH is offered (the mechanisms were resolved when the server was built). */
  boolean authEnabled() {
    return !mechanisms.isEmpty();
  }

  /** Failed AUTH attempts per client address, over all connections. */
  AddressFailures authFailures() {
    return authFailures;
  }

  /** The peers allowed to send XCLIENT (none when it is off). */
  TrustedAddresses xclientClients() {
    return xclientClients;
  }

  /** The connections open now (for tests in this package). */
  List<Channel> channels() {
    ChannelGroup group = sessions;
    return group == null ? List.of() : List.copyOf(group);
  }

  String nextSessionId() {
    return Long.toString(sessionIds.incrementAndGet(), 36);
  }

  /** Counts a new connection; false when a limit is reached (nothing is then counted). */
  boolean acquire(@Nullable InetAddress ip) {
    if (connections.incrementAndGet() > config.limits().maxConnections()) {
      connections.decrementAndGet();
      return false;
    }
    if (ip != null) {
      AtomicInteger n = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
      if (n.incrementAndGet() > config.limits().maxConnectionsPerIp()) {
        release(ip);
        return false;
      }
    }
    return true;
  }

  void release(@Nullable InetAddress ip) {
    connections.decrementAndGet();
    if (ip != null) {
      perIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link SmtpServer}. */
  public static final class Builder {
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
    private boolean authRequired;
    private boolean allowInsecureAuth;
    private int maxAuthFailures = AuthSettings.NONE.maxFailures();
    private Duration authFailureDelay = AuthSettings.NONE.failureDelay();
    private int maxAddressAuthFailures = AuthSettings.NONE.maxAddressFailures();
    private Duration addressAuthFailureWindow = AuthSettings.NONE.addressFailureWindow();
    private @Nullable TrustedAddresses trustedProxies;
    private Duration proxyHeaderTimeout = Duration.ofSeconds(5);

    private Builder() {}

    private static String defaultDomain() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException | RuntimeException e) {
        return "localhost";
      }
    }

    /** The name in the greeting and the EHLO reply (default: the local host name). */
    public Builder domain(String domain) {
      if (domain.isBlank() || domain.chars().anyMatch(c -> c <= ' ' || c == 127)) {
        throw new IllegalArgumentException("domain must be a host name: " + domain);
      }
      this.domain = domain;
      return this;
    }

    /** The text after {@code 220 <domain> ESMTP} in the greeting (default {@code ready}). */
    public Builder greeting(String greeting) {
      if (greeting.chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException("greeting must not contain CR or LF");
      }
      this.greeting = greeting;
      return this;
    }

    /** The address to bind (default: all addresses). */
    public Builder address(@Nullable InetAddress address) {
      this.address = address;
      return this;
    }

    /** The TCP port (default 25; 0 picks a free port, see {@link SmtpServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Listen on a Unix domain socket at this path instead of TCP (needs epoll). */
    public Builder unixSocket(@Nullable Path path) {
      this.unixSocket = path;
      return this;
    }

    /** The application's handler (default: accepts everything but refuses messages). */
    public Builder handler(SmtpHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Where handler methods run (default: a pool of up to {@link #handlerThreads(int)} threads,
     * owned and shut down by the server). A given executor is not shut down by the server.
     */
    public Builder handlerExecutor(@Nullable Executor executor) {
      this.handlerExecutor = executor;
      return this;
    }

    /** Threads of the default handler pool (default 256); beyond them events get 451. */
    public Builder handlerThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("handlerThreads must be positive: " + threads);
      }
      this.handlerThreads = threads;
      return this;
    }

    /** Event loop threads (default 0: Netty's choice, twice the processors). */
    public Builder ioThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("ioThreads must not be negative: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The listen backlog (default 1024). */
    public Builder backlog(int backlog) {
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
     * The domains whose recipients the engine accepts (default: every domain). RCPT TO for any
     * other domain gets {@code 550 5.1.1} from the engine without a handler call, so that such
     * recipients cost no handler thread; the bare {@code <Postmaster>} is always accepted (RFC
     * 5321, section 4.5.1). Domains match exactly, ignoring ASCII case: a subdomain is another
     * domain, an address literal matches only as written (for example {@code [192.0.2.1]}), and an
     * internationalized domain matches only in the form the client used. Accepted recipients then
     * go to the handler's {@code rcptTo}, which may still refuse them.
     */
    public Builder acceptedDomains(Collection<String> domains) {
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

    public Builder lenientLineEndings(boolean lenient) {
      this.lenientLineEndings = lenient;
      return this;
    }

    /** Whether CHUNKING (BDAT, RFC 3030) is offered (default true). */
    public Builder chunking(boolean enabled) {
      this.chunking = enabled;
      return this;
    }

    /** Whether SMTPUTF8 (RFC 6531) is offered (default true). */
    public Builder smtpUtf8(boolean enabled) {
      this.smtpUtf8 = enabled;
      return this;
    }

    /** Whether 8BITMIME (RFC 6152) is offered (default true). */
    public Builder eightBitMime(boolean enabled) {
      this.eightBitMime = enabled;
      return this;
    }

    /** Whether PIPELINING (RFC 2920) is offered (default true). */
    public Builder pipelining(boolean enabled) {
      this.pipelining = enabled;
      return this;
    }

    /**
     * Whether REQUIRETLS (RFC 8689) is offered, on TLS sessions only (default false). The MAIL
     * parameter {@code REQUIRETLS} then reaches the handler in the envelope's parameters ({@link
     * Envelope#requireTls()}); without TLS it is refused with {@code 530 5.7.10}. Offer it only if
     * the application relays such messages onward over verified TLS alone, as the RFC requires.
     */
    public Builder requireTls(boolean enabled) {
      this.requireTls = enabled;
      return this;
    }

    /**
     * Whether DSN (RFC 3461) is offered (default false): {@code RET} and {@code ENVID} on MAIL,
     * {@code NOTIFY} and {@code ORCPT} on RCPT are then accepted when well formed ({@code 501
     * 5.5.4} otherwise) and reach the handler in the envelope's and the recipients' parameters.
     * Sending the notifications is the application's part.
     */
    public Builder dsn(boolean enabled) {
      this.dsn = enabled;
      return this;
    }

    /**
     * Whether this listener speaks LMTP (RFC 2033) instead of SMTP (default false), for a local
     * delivery agent behind an MTA: {@code LHLO} replaces {@code HELO} and {@code EHLO} (which get
     * {@code 500}), and after the final dot every accepted recipient gets a reply of its own, in
     * RCPT order, from {@link SmtpHandler#lmtpMessage}.
     */
    public Builder lmtp(boolean enabled) {
      this.lmtp = enabled;
      return this;
    }

    /**
     * Offers XCLIENT, as Postfix's XCLIENT_README describes it, to the peers at these addresses
     * (default: to none, XCLIENT is off): IP addresses, CIDR blocks ({@code 10.0.0.0/8}, {@code
     * 2001:db8::/32}) and {@code unix} for peers on a Unix domain socket. Such a peer, a proxy or
     * an MTA in front of this server, names the client it speaks for ({@code XCLIENT
     * ADDR=192.0.2.7 NAME=mail.example.org}); the session then takes that client's address, port,
     * host name, greeting and login, asks the handler's {@code connect} again and greets anew with
     * {@code 220}. XCLIENT is announced after EHLO only to these peers; anyone else gets {@code
     * 550 5.7.0}. As in Postfix, trust follows the client the session names: once XCLIENT has set
     * an address outside these, no further XCLIENT is accepted.
     *
     * @throws IllegalArgumentException when the collection is empty or an entry is none of these
     */
    public Builder xclient(Collection<String> trustedClients) {
      Objects.requireNonNull(trustedClients, "trustedClients");
      if (trustedClients.isEmpty()) {
        throw new IllegalArgumentException("xclient needs at least one trusted client address");
      }
      TrustedAddresses.of(trustedClients); // throws for an entry that is no address
      this.xclientClients = trustedClients.stream().map(String::strip).toList();
      return this;
    }

    /** Receives events for metrics (default: none). */
    public Builder observer(SmtpServerObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /**
     * Offers TLS: through STARTTLS (RFC 3207) or from the first octet (implicit TLS, RFC 8314).
     * The supplier is asked on the event loop for every new connection or STARTTLS, so it must
     * return quickly (a kept context); returning a new context rotates certificates without a
     * restart. Protocols, ciphers and the client certificate policy ({@code ClientAuth}) are the
     * context's; {@link io.smtpprotocol.tls.SslContexts} builds one with safe defaults.
     */
    public Builder tls(TlsMode mode, @Nullable Supplier<SslContext> context) {
      this.tlsMode = Objects.requireNonNull(mode, "mode");
      this.sslContext = context;
      return this;
    }

    /**
     * Whether MAIL and AUTH are refused until the connection is encrypted (default false): {@code
     * 530 5.7.0 Must issue a STARTTLS command first}.
     */
    public Builder tlsRequired(boolean required) {
      this.tlsRequired = required;
      return this;
    }

    /** Checks AUTH credentials; setting one turns AUTH (RFC 4954) on (default: none, AUTH off). */
    public Builder authenticator(@Nullable Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /**
     * The SASL mechanisms to offer, in order: any of {@code PLAIN}, {@code LOGIN}, {@code
     * CRAM-MD5}, {@code XOAUTH2}, {@code SCRAM-SHA-256} (default: those the authenticator
     * implements).
     */
    public Builder authMechanisms(Collection<String> mechanisms) {
      List<String> names = new ArrayList<>();
      for (String m : mechanisms) {
        names.add(m.toUpperCase(Locale.ROOT));
      }
      this.authMechanisms = List.copyOf(names);
      return this;
    }

    /** Whether MAIL is refused until the client authenticates: {@code 530 5.7.0} (default false). */
    public Builder authRequired(boolean required) {
      this.authRequired = required;
      return this;
    }

    /**
     * Whether AUTH is offered on connections without TLS (default false: it is neither advertised
     * nor accepted there, {@code 538 5.7.11}).
     */
    public Builder allowInsecureAuth(boolean allow) {
      this.allowInsecureAuth = allow;
      return this;
    }

    /** Failed AUTH attempts after which the session gets {@code 421} and is closed (default 3). */
    public Builder maxAuthFailures(int failures) {
      this.maxAuthFailures = failures;
      return this;
    }

    /**
     * How long the reply to a first failed AUTH waits (default 1 second); the delay doubles with
     * every further failure of the session.
     */
    public Builder authFailureDelay(Duration delay) {
      this.authFailureDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /**
     * The budget of failed AUTH attempts per client address, over all its connections (default 10
     * in 10 minutes): past it, AUTH from that address is refused with {@code 454 4.7.0} until the
     * window that began with its first failure has passed. IPv6 clients count by /64 prefix.
     */
    public Builder authFailuresPerAddress(int failures, Duration window) {
      this.maxAddressAuthFailures = failures;
      this.addressAuthFailureWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * Expects every connection to begin with a PROXY protocol header (HAProxy's, version 1 text or
     * version 2 binary) from one of these proxies (default: off). Entries are IP addresses, CIDR
     * blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or {@code unix} for peers on a Unix
     * domain socket; nothing is looked up in DNS. The client address the header names then stands
     * for the connection everywhere: per-address connection limits and AUTH failures, {@link
     * SessionInfo#remoteAddress()}, handler events and the transcript ({@code LOCAL} and {@code
     * UNKNOWN} headers keep the proxy's own address). A connection from any other peer, or without
     * a well-formed header within {@link #proxyHeaderTimeout(Duration)}, is closed without a
     * greeting. On an implicit TLS listener the header comes before the TLS handshake.
     *
     * @throws IllegalArgumentException if the collection is empty or an entry is not an IP
     *     address, a CIDR block or {@code unix}
     */
    public Builder proxyProtocol(Collection<String> trustedProxies) {
      Objects.requireNonNull(trustedProxies, "trustedProxies");
      if (trustedProxies.isEmpty()) {
        throw new IllegalArgumentException("trustedProxies must name at least one proxy");
      }
      this.trustedProxies = TrustedAddresses.of(trustedProxies);
      return this;
    }

    /** How long a connection has to send its whole PROXY header (default 5 seconds). */
    public Builder proxyHeaderTimeout(Duration timeout) {
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
              handler,
              limits,
              handlerExecutor,
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
              observer,
              new TlsSettings(tlsMode, sslContext, tlsRequired),
              new AuthSettings(
                  authenticator,
                  authMechanisms,
                  authRequired,
                  allowInsecureAuth,
                  maxAuthFailures,
                  authFailureDelay,
                  maxAddressAuthFailures,
                  addressAuthFailureWindow)),
          trustedProxies == null ? null : new ProxyProtocol(trustedProxies, proxyHeaderTimeout));
    }
  }
}
