package io.smtpprotocol.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.smtpprotocol.server.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An SMTP client: opens {@link SmtpConnection}s by host and port, to a Unix domain socket, or over
 * a channel the caller opened. Thread-safe; one instance is meant to be shared, and closing it
 * closes its event loops (unless they were given to it).
 *
 * <pre>{@code
 * try (SmtpClient client = SmtpClient.builder().tlsPolicy(TlsPolicy.REQUIRED).build()) {
 *   SmtpConnection c = client.connect("mx.example.com", 25).toCompletableFuture().join();
 *   SendResult result = c.send(MailEnvelope.of("a@example.com", "b@example.org"),
 *       MessageContent.of("Subject: hi\r\n\r\nHello\r\n")).toCompletableFuture().join();
 *   c.quit();
 * }
 * }</pre>
 *
 * <p>Timeouts default to RFC 5321 section 4.5.3.2: connect 30 s, greeting and commands 5 min, DATA
 * 2 min, each data block 3 min, the reply to the final dot 10 min.
 */
public final class SmtpClient implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final boolean epoll;
  private final ClientConfig config;
  private final ClientTls tls;

  private SmtpClient(Builder b) {
    this.config = b.config();
    this.epoll =
        switch (b.transport) {
          case NIO -> false;
          case EPOLL -> {
            Epoll.ensureAvailability();
            yield true;
          }
          default -> Epoll.isAvailable();
        };
    if (b.eventLoopGroup != null) {
      this.group = b.eventLoopGroup;
      this.ownsGroup = false;
    } else {
      IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      this.group =
          new MultiThreadIoEventLoopGroup(
              b.ioThreads, new DefaultThreadFactory("smtp-client", true), io);
      this.ownsGroup = true;
    }
    this.tls = new ClientTls(b.sslContext, b.certificateCheck, b.commandTimeout);
  }

  /** A builder with the RFC 5321 default timeouts. */
  public static Builder builder() {
    return new Builder();
  }

  /** Connects to {@code host:port} and waits for the greeting. */
  public CompletionStage<SmtpConnection> connect(String host, int port) {
    Values.check("host", host);
    return connect(InetSocketAddress.createUnresolved(host, port), host, port);
  }

  /**
   * Connects to an address: an {@link InetSocketAddress}, or a {@link DomainSocketAddress} for a
   * Unix domain socket (which needs the epoll transport).
   */
  public CompletionStage<SmtpConnection> connect(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return connect(address, inet.getHostString(), inet.getPort());
    }
    return connect(address, "", -1);
  }

  /** Connects to a Unix domain socket. */
  public CompletionStage<SmtpConnection> connect(Path unixSocket) {
    return connect(new DomainSocketAddress(unixSocket.toFile()));
  }

  private CompletionStage<SmtpConnection> connect(SocketAddress address, String host, int port) {
    boolean domain = address instanceof DomainSocketAddress;
    if (domain && !epoll) {
      throw new IllegalStateException("a Unix domain socket needs the epoll transport (Linux)");
    }
    CompletableFuture<SmtpConnection> result = new CompletableFuture<>();
    SmtpConnection[] made = new SmtpConnection[1];
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(
                domain
                    ? EpollDomainSocketChannel.class
                    : epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            // message content is written in chunks only while less than this is queued
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(128 * 1024, 256 * 1024))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    SmtpConnection c = new SmtpConnection(SmtpClient.this, ch, host, port);
                    made[0] = c;
                    if (config.implicitTls()) {
                      ch.pipeline().addLast(SmtpConnection.TLS, tls.newHandler(ch, host, port));
                    }
                    c.install(ch.pipeline());
                  }
                });
    if (!domain) {
      bootstrap.option(ChannelOption.TCP_NODELAY, true);
    }
    ChannelFuture connected = bootstrap.connect(address);
    connected.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.completeExceptionally(
                new SmtpConnectionException(
                    "cannot connect to "
                        + (host.isEmpty() ? address : host + ":" + port)
                        + ": "
                        + f.cause().getMessage(),
                    f.cause()));
            return;
          }
          made[0].greeted().whenComplete(greeted(made[0], result));
        });
    return result;
  }

  /**
   * Speaks SMTP over a channel the caller opened and connected (through a proxy, say). Open it with
   * {@code AUTO_READ} off, so that the greeting is not read before the client's handlers are in its
   * pipeline; the client adds them at the end and turns reading on.
   */
  public CompletionStage<SmtpConnection> connect(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    if (!channel.isActive()) {
      throw new IllegalArgumentException("channel must be connected");
    }
    CompletableFuture<SmtpConnection> result = new CompletableFuture<>();
    String host = "";
    int port = -1;
    if (channel.remoteAddress() instanceof InetSocketAddress inet) {
      host = inet.getHostString();
      port = inet.getPort();
    }
    SmtpConnection c = new SmtpConnection(this, channel, host, port);
    channel
        .eventLoop()
        .execute(
            () -> {
              c.install(channel.pipeline());
              channel.config().setAutoRead(true);
              channel.read();
              c.greeted().whenComplete(greeted(c, result));
            });
    return result;
  }

  private static java.util.function.BiConsumer<SmtpConnection, @Nullable Throwable> greeted(
      SmtpConnection c, CompletableFuture<SmtpConnection> result) {
    return (ok, e) -> {
      if (e == null) {
        result.complete(c);
        return;
      }
      Throwable cause = Stages.unwrap(e);
      if (cause instanceof SmtpReplyException) {
        // RFC 5321 section 3.1: after a 554 greeting the client sends QUIT
        c.quit();
      } else {
        c.close();
      }
      result.completeExceptionally(cause);
    };
  }

  /**
   * Sends one message on a new connection to {@code host:port} and says QUIT: {@link
   * SmtpConnection#send} with this client's settings.
   */
  public CompletionStage<SendResult> send(
      String host, int port, MailEnvelope envelope, MessageContent content) {
    return connect(host, port)
        .thenCompose(
            c ->
                c.send(envelope, content)
                    .whenComplete(
                        (r, e) -> {
                          if (c.isOpen()) {
                            c.quit();
                          }
                        }));
  }

  /** Closes the event loops this client made, waiting up to a few seconds. */
  @Override
  public void close() {
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------- used by connections

  EventLoopGroup group() {
    return group;
  }

  ClientConfig config() {
    return config;
  }

  ClientTls tls() {
    return tls;
  }

  /** Builds a {@link SmtpClient}. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration greetingTimeout = Duration.ofMinutes(5);
    private Duration commandTimeout = Duration.ofMinutes(5);
    private Duration dataInitiationTimeout = Duration.ofMinutes(2);
    private Duration dataBlockTimeout = Duration.ofMinutes(3);
    private Duration finalTimeout = Duration.ofMinutes(10);
    private @Nullable String localHost;
    private TlsPolicy tlsPolicy = TlsPolicy.OPPORTUNISTIC;
    private boolean implicitTls;
    private @Nullable SslContext sslContext;
    private @Nullable ServerCertificateCheck certificateCheck;
    private @Nullable Credentials credentials;
    private boolean allowInsecureAuth;
    private boolean chunking;
    private boolean lmtp;
    private @Nullable ReplyObserver replyObserver;
    private Transport transport = Transport.AUTO;
    private @Nullable EventLoopGroup eventLoopGroup;
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxReplyLines = 100;
    private int maxReplyLineLength = 2048;
    private int maxPendingCommands = 1000;

    private Builder() {}

    private ClientConfig config() {
      return new ClientConfig(
          connectTimeout,
          greetingTimeout,
          commandTimeout,
          dataInitiationTimeout,
          dataBlockTimeout,
          finalTimeout,
          localHost,
          tlsPolicy,
          implicitTls,
          certificateCheck,
          credentials,
          allowInsecureAuth,
          chunking,
          lmtp,
          replyObserver,
          maxReplyLines,
          maxReplyLineLength,
          maxPendingCommands);
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /** How long opening the connection may take (30 s). */
    public Builder connectTimeout(Duration timeout) {
      connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** How long to wait for the greeting (5 min). */
    public Builder greetingTimeout(Duration timeout) {
      greetingTimeout = positive("greetingTimeout", timeout);
      return this;
    }

    /**
     * How long to wait for the reply to MAIL, RCPT and other commands, and for a TLS handshake (5
     * min).
     */
    public Builder commandTimeout(Duration timeout) {
      commandTimeout = positive("commandTimeout", timeout);
      return this;
    }

    /** How long to wait for the reply to DATA (2 min). */
    public Builder dataInitiationTimeout(Duration timeout) {
      dataInitiationTimeout = positive("dataInitiationTimeout", timeout);
      return this;
    }

    /** How long writing the message may make no progress, and the wait for a BDAT reply (3 min). */
    public Builder dataBlockTimeout(Duration timeout) {
      dataBlockTimeout = positive("dataBlockTimeout", timeout);
      return this;
    }

    /** How long to wait for the reply to the end of the message (10 min). */
    public Builder finalTimeout(Duration timeout) {
      finalTimeout = positive("finalTimeout", timeout);
      return this;
    }

    /** The name said in EHLO; by default the local address as an address literal. */
    public Builder localHost(String name) {
      Values.check("localHost", name);
      if (name.isBlank() || name.indexOf(' ') >= 0) {
        throw new IllegalArgumentException("localHost must be one word: " + name);
      }
      localHost = name;
      return this;
    }

    /**
     * Whether {@link SmtpConnection#send} upgrades with STARTTLS ({@link TlsPolicy#OPPORTUNISTIC}).
     */
    public Builder tlsPolicy(TlsPolicy policy) {
      tlsPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Whether connections speak TLS from the first octet (RFC 8314, port 465); off by default. */
    public Builder implicitTls(boolean implicit) {
      implicitTls = implicit;
      return this;
    }

    /**
     * The client SSL context (trust, client certificate, protocols), for example from {@link
     * io.smtpprotocol.tls.SslContexts#forClient}; by default the JDK's trust store. The server's
     * host name is checked against its certificate unless a {@link #serverCertificateCheck} is set.
     */
    public Builder sslContext(SslContext context) {
      if (!context.isClient()) {
        throw new IllegalArgumentException("sslContext must be a client context");
      }
      sslContext = context;
      return this;
    }

    /** Decides on the server's certificate instead of the default verification. */
    public Builder serverCertificateCheck(@Nullable ServerCertificateCheck check) {
      certificateCheck = check;
      return this;
    }

    /** Credentials for AUTH during {@link SmtpConnection#prepare()}. */
    public Builder credentials(@Nullable Credentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Whether PLAIN, LOGIN and XOAUTH2 may run over an unencrypted connection; off by default. */
    public Builder allowInsecureAuth(boolean allow) {
      allowInsecureAuth = allow;
      return this;
    }

    /** Whether to send with BDAT when the server offers CHUNKING (RFC 3030); off by default. */
    public Builder chunking(boolean use) {
      chunking = use;
      return this;
    }

    /** Whether to speak LMTP (RFC 2033): LHLO, and a reply per recipient after the message. */
    public Builder lmtp(boolean lmtp) {
      this.lmtp = lmtp;
      return this;
    }

    /** Sees every reply, for metrics; called on event loops. */
    public Builder replyObserver(@Nullable ReplyObserver observer) {
      replyObserver = observer;
      return this;
    }

    /** The Netty transport for the client's own event loops ({@link Transport#AUTO}). */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Uses these event loops (shared, for example with a server) instead of making its own. */
    public Builder eventLoopGroup(@Nullable EventLoopGroup group) {
      eventLoopGroup = group;
      return this;
    }

    /** How many I/O threads the client's own event loops have (the number of processors). */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      }
      ioThreads = threads;
      return this;
    }

    /** The longest reply line accepted, in octets (2048); longer ones fail the connection. */
    public Builder maxReplyLineLength(int octets) {
      if (octets < 512) {
        throw new IllegalArgumentException("maxReplyLineLength must be at least 512: " + octets);
      }
      maxReplyLineLength = octets;
      return this;
    }

    /** The most lines one reply may have (100); more fail the connection. */
    public Builder maxReplyLines(int lines) {
      if (lines < 1) {
        throw new IllegalArgumentException("maxReplyLines must be positive: " + lines);
      }
      maxReplyLines = lines;
      return this;
    }

    /** The most commands that may wait for replies on one connection (1000). */
    public Builder maxPendingCommands(int commands) {
      if (commands < 1) {
        throw new IllegalArgumentException("maxPendingCommands must be positive: " + commands);
      }
      maxPendingCommands = commands;
      return this;
    }

    public SmtpClient build() {
      return new SmtpClient(this);
    }
  }
}
