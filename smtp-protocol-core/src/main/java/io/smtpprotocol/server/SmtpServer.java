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
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.protocol.Reply;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
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
  private final ServerParts parts;
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
  private final ServerReplies replies;
  private final AddressFailures authFailures;
  private final TrustedAddresses xclientClients;
  private final WarningLimiter warnings = new WarningLimiter(10, TimeUnit.SECONDS.toNanos(10));
  private final @Nullable ProxyProtocol proxyProtocol;

  SmtpServer(ServerConfig config, ServerParts parts, @Nullable ProxyProtocol proxyProtocol) {
    this.config = config;
    this.parts = parts;
    this.proxyProtocol = proxyProtocol;
    this.authFailures =
        new AddressFailures(
            config.auth().maxAddressFailures(),
            config.auth().addressFailureWindow(),
            AddressFailures.DEFAULT_CAPACITY);
    this.overrides = HandlerOverrides.of(parts.handler());
    this.xclientClients = TrustedAddresses.of(config.xclientClients());
    this.replies = ServerReplies.of(config);
  }

  public static SmtpServerBuilder builder() {
    return new SmtpServerBuilder();
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
    bossGroup =
        new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("smtp-accept", true), io);
    workerGroup =
        new MultiThreadIoEventLoopGroup(
            config.ioThreads(), new DefaultThreadFactory("smtp-io", true), io);
    Executor ex = parts.handlerExecutor();
    if (ex == null) {
      ex = ownedExecutor = ServerParts.handlerPool(config.handlerThreads());
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
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(64, 2048, 32 * 1024))
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
      throw new SmtpServerException(
          "cannot bind SMTP server to " + describe(bindAddress) + ": " + e.getMessage(), e);
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

  ServerParts parts() {
    return parts;
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
    return replies.greeting();
  }

  Reply heloReply() {
    return replies.helo();
  }

  /**
   * The EHLO keywords this server offers (with their parameters, for example {@code SIZE
   * 10485760}), on a plaintext session or on a TLS one; computed once when the server is built.
   */
  public List<String> extensions(boolean tls) {
    return replies.extensions(tls);
  }

  /** The EHLO reply on a plaintext connection, or on an encrypted one. */
  Reply ehloReply(boolean tls) {
    return replies.ehlo(tls);
  }

  /** The offered SASL mechanism of this name (upper case), or null. */
  @Nullable SaslMechanism mechanism(String name) {
    return replies.mechanisms().get(name);
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
    SslContext context =
        Objects.requireNonNull(supplier.get(), "the SSL context supplier returned null");
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
    return !replies.mechanisms().isEmpty();
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
}
