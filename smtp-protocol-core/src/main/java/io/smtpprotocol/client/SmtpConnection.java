package io.smtpprotocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.smtpprotocol.auth.SaslClientExchange;
import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReplyParser;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.tls.TlsInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP session as a client. Every command returns a {@link CompletionStage} of its reply; a
 * FIFO matches replies to commands, so commands may be issued without waiting for earlier replies
 * and pipeline naturally (RFC 2920: do so only when the server offers {@code PIPELINING}).
 *
 * <p>A 4xx or 5xx reply completes the stage exceptionally with {@link SmtpReplyException}; a
 * broken or closed connection, a reply that does not come in time, or a malformed reply completes
 * every waiting stage with {@link SmtpConnectionException} and closes the connection.
 *
 * <p>Stages complete on the connection's event loop: do not block in dependent actions (use the
 * {@code ...Async} variants for blocking work); joining from another thread is fine.
 *
 * <p>After {@link #data()} the commands issued before {@link #message} has written the content
 * wait, and so do commands issued during {@link #login} and {@link #startTls()}: nothing is written
 * where the server expects something else.
 *
 * <p>Thread-safe: commands may be issued from any thread; they are written in the order they are
 * issued.
 */
public final class SmtpConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  static final String LINES = "smtp-client-lines";
  static final String CHUNKS = "smtp-client-chunks";
  static final String HANDLER = "smtp-client";

  /** Messages in memory up to this size are encoded into one buffer instead of in chunks. */
  static final int SMALL_MESSAGE = 64 * 1024;

  private final SmtpClient client;
  private final Channel channel;
  private final String host;
  private final int port;
  private final Handler handler = new Handler();
  private final CompletableFuture<Reply> greeting;

  // touched on the event loop only
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
  private final ReplyParser parser;
  private boolean barrier;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt;
  private @Nullable Throwable failure;
  private @Nullable Pending startTlsPending;
  private boolean discarding;
  private long discarded;

  // read from any thread
  private volatile Extensions extensions = Extensions.NONE;
  private volatile boolean greeted;
  private volatile boolean lmtp;
  private volatile boolean tls;
  private volatile @Nullable TlsInfo tlsInfo;
  private volatile @Nullable String authenticatedAs;
  private volatile @Nullable CompletableFuture<Reply> lastData;
  private volatile int messagesSent;
  private @Nullable CompletableFuture<Extensions> preparing;

  SmtpConnection(SmtpClient client, Channel channel, String host, int port) {
    this.client = client;
    this.channel = channel;
    this.host = host;
    this.port = port;
    this.parser = new ReplyParser(client.maxReplyLines());
    Pending first = new Pending("greeting", client.greetingTimeout());
    this.greeting = first.future;
    pending.add(first);
  }

  /** Adds the client's handlers to the end of the channel's pipeline. */
  void install(ChannelPipeline pipeline) {
    pipeline.addLast(CHUNKS, new ChunkedWriteHandler());
    pipeline.addLast(LINES, newLineDecoder());
    pipeline.addLast(HANDLER, handler);
  }

  private LineBasedFrameDecoder newLineDecoder() {
    return new LineBasedFrameDecoder(client.maxReplyLineLength(), true, true);
  }

  /** Completes with the greeting, or fails when it is negative or does not come. */
  CompletionStage<SmtpConnection> greeted() {
    return greeting.thenApply(r -> this);
  }

  // ---------------------------------------------------------------- state

  /** The server's greeting (code and lines); not complete before {@code connect} completes. */
  public Reply greeting() {
    return Objects.requireNonNull(greeting.getNow(null), "no greeting yet");
  }

  /** What the server announced in its last EHLO or LHLO reply; {@link Extensions#NONE} before. */
  public Extensions extensions() {
    return extensions;
  }

  /** Whether the connection is encrypted (implicit TLS, or after STARTTLS). */
  public boolean isTls() {
    return tls;
  }

  /** The negotiated TLS session, when encrypted. */
  public Optional<TlsInfo> tlsInfo() {
    return Optional.ofNullable(tlsInfo);
  }

  /** The user this session authenticated as, if it did. */
  public Optional<String> authenticatedUser() {
    return Optional.ofNullable(authenticatedAs);
  }

  /** Whether the connection is open and has not failed. */
  public boolean isOpen() {
    return channel.isActive() && failure == null;
  }

  /** How many messages {@link #send} delivered on this connection. */
  public int messagesSent() {
    return messagesSent;
  }

  /** The server's address. */
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  /** The Netty channel (for its attributes, or to watch it close). */
  public Channel channel() {
    return channel;
  }

  // ---------------------------------------------------------------- commands

  /** HELO (RFC 5321 4.1.1.1): no extensions. */
  public CompletionStage<Reply> helo(String domain) {
    Values.check("domain", domain);
    return command("HELO", "HELO " + domain, client.commandTimeout())
        .thenApply(
            r -> {
              extensions = Extensions.NONE;
              greeted = true;
              return r;
            });
  }

  /** EHLO: on success {@link #extensions()} holds what the server announced. */
  public CompletionStage<Reply> ehlo(String domain) {
    return hello("EHLO", domain);
  }

  /** LHLO (RFC 2033): the LMTP greeting; after it, each accepted recipient gets its own reply. */
  public CompletionStage<Reply> lhlo(String domain) {
    return hello("LHLO", domain);
  }

  private CompletionStage<Reply> hello(String verb, String domain) {
    Values.check("domain", domain);
    return command(verb, verb + " " + domain, client.commandTimeout())
        .thenApply(
            r -> {
              extensions = Extensions.parse(r);
              lmtp = verb.equals("LHLO");
              greeted = true;
              return r;
            });
  }

  /** MAIL FROM with parameters. */
  public CompletionStage<Reply> mailFrom(ReversePath from, MailParameters parameters) {
    Objects.requireNonNull(from, "from");
    Values.check(parameters);
    return command("MAIL", "MAIL FROM:" + from + params(parameters), client.commandTimeout());
  }

  /** MAIL FROM without parameters. */
  public CompletionStage<Reply> mailFrom(ReversePath from) {
    return mailFrom(from, MailParameters.EMPTY);
  }

  /** RCPT TO with parameters. */
  public CompletionStage<Reply> rcptTo(Mailbox to, MailParameters parameters) {
    Objects.requireNonNull(to, "to");
    Values.check(parameters);
    return command(
        "RCPT", "RCPT TO:<" + to.address() + ">" + params(parameters), client.commandTimeout());
  }

  /** RCPT TO without parameters. */
  public CompletionStage<Reply> rcptTo(Mailbox to) {
    return rcptTo(to, MailParameters.EMPTY);
  }

  private static String params(MailParameters parameters) {
    return parameters.isEmpty() ? "" : " " + parameters;
  }

  /**
   * DATA: completes with the {@code 354}. Until {@link #message} has written the content, commands
   * issued later wait; when DATA is refused they go on.
   */
  public CompletionStage<Reply> data() {
    CompletableFuture<Reply> f = issueData(true);
    lastData = f;
    return f;
  }

  /** DATA, raising the barrier once it is written; a refusal lowers it. */
  private CompletableFuture<Reply> issueData(boolean flush) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    onLoop(
        () -> {
          Runnable send =
              () -> {
                CompletableFuture<Reply> sent =
                    enqueueNow("DATA", "DATA", client.dataInitiationTimeout(), flush, false);
                if (!sent.isDone()) {
                  barrier = true;
                }
                sent.whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        lowerBarrier();
                        f.completeExceptionally(unwrap(e));
                      } else {
                        f.complete(r);
                      }
                    });
              };
          if (barrier) {
            deferred.add(send);
          } else {
            send.run();
          }
        });
    return f;
  }

  /** Writes the message after {@link #data()} and ends it with {@code .}: the final reply. */
  public CompletionStage<Reply> message(byte[] message) {
    return message(MessageContent.of(message));
  }

  /** Writes the message from a file, read as it is sent. */
  public CompletionStage<Reply> message(Path message) {
    return message(MessageContent.of(message));
  }

  /** Writes the message from a stream, read as it is sent and closed at the end. */
  public CompletionStage<Reply> message(InputStream message) {
    return message(MessageContent.of(message, -1, MessageContent.Encoding.UNKNOWN));
  }

  /**
   * Writes the content after {@link #data()}: bare CR and LF become CRLF, leading dots are
   * doubled, and {@code .} ends it. Fails with DATA's failure when DATA was refused.
   */
  public CompletionStage<Reply> message(MessageContent content) {
    return message(content, 1).thenApply(replies -> replies.get(0));
  }

  /** The content after DATA, and the {@code replies} replies that end it (LMTP: one per recipient). */
  CompletionStage<List<Reply>> message(MessageContent content, int replies) {
    CompletableFuture<Reply> data = lastData;
    if (data == null) {
      throw new IllegalStateException("message() needs data() first");
    }
    lastData = null;
    return writeMessage(data, content, replies);
  }

  private CompletionStage<List<Reply>> writeMessage(
      CompletableFuture<Reply> data, MessageContent content, int replies) {
    CompletableFuture<List<Reply>> result = new CompletableFuture<>();
    data.whenComplete(
        (r, e) ->
            onLoop(
                () -> {
                  if (e != null) {
                    result.completeExceptionally(unwrap(e));
                    return;
                  }
                  if (r.code() != 354) {
                    lowerBarrier();
                    result.completeExceptionally(
                        new SmtpConnectionException("DATA was answered with " + r + ", not 354"));
                    return;
                  }
                  byte[] bytes = content.inMemory();
                  if (bytes != null) {
                    // small and in memory already: one buffer, one write; larger in chunks
                    Object body =
                        bytes.length <= SMALL_MESSAGE
                            ? MessageEncoder.encode(bytes, channel.alloc())
                            : new MessageEncoder(bytes, true);
                    writeBody(body, replies, "message").whenComplete(complete(result));
                    return;
                  }
                  InputStream in;
                  try {
                    in = content.open();
                  } catch (IOException ex) {
                    // the server waits for data: only closing the connection ends that cleanly
                    fail(new SmtpConnectionException("cannot read the message", ex));
                    result.completeExceptionally(failure());
                    return;
                  }
                  writeBody(new MessageEncoder(in, true), replies, "message")
                      .whenComplete(complete(result));
                }));
    return result;
  }

  /**
   * BDAT (RFC 3030): one chunk, sent as it is (no dot-stuffing, no line ending changes).
   *
   * @param last whether this is the last chunk ({@code BDAT n LAST})
   */
  public CompletionStage<Reply> bdat(byte[] chunk, boolean last) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    byte[] copy = chunk.clone();
    onLoop(
        () -> {
          Runnable send =
              () -> bdatNow(channel.alloc().buffer(copy.length).writeBytes(copy), last).whenComplete(complete(f));
          if (barrier) {
            deferred.add(send);
          } else {
            send.run();
          }
        });
    return f;
  }

  /** On the loop: the BDAT command and its chunk (released here). */
  private CompletableFuture<Reply> bdatNow(ByteBuf chunk, boolean last) {
    String line = "BDAT " + chunk.readableBytes() + (last ? " LAST" : "");
    Duration timeout = last ? client.finalTimeout() : client.dataBlockTimeout();
    CompletableFuture<Reply> f = enqueueNow("BDAT", line, timeout, false, false);
    if (f.isDone()) {
      chunk.release();
    } else {
      channel.writeAndFlush(chunk);
    }
    return f;
  }

  /** RSET: ends the transaction. */
  public CompletionStage<Reply> rset() {
    return command("RSET", "RSET", client.commandTimeout());
  }

  /** NOOP. */
  public CompletionStage<Reply> noop() {
    return command("NOOP", "NOOP", client.commandTimeout());
  }

  /** VRFY. */
  public CompletionStage<Reply> verify(String user) {
    Values.check("user", user);
    return command("VRFY", "VRFY " + user, client.commandTimeout());
  }

  /** QUIT: the connection is closed once the server answers (or fails). */
  public CompletionStage<Reply> quit() {
    CompletionStage<Reply> r = command("QUIT", "QUIT", client.commandTimeout());
    r.whenComplete((reply, e) -> channel.close());
    return r;
  }

  /**
   * Any command line, as an escape hatch.
   *
   * @throws IllegalArgumentException when it contains CR, LF or NUL
   */
  public CompletionStage<Reply> command(String line) {
    Values.check("command", line);
    if (line.isBlank()) {
      throw new IllegalArgumentException("command must not be blank");
    }
    String verb = line.strip().split(" ", 2)[0].toUpperCase(Locale.ROOT);
    if (verb.equals("DATA") || verb.equals("STARTTLS") || verb.equals("AUTH") || verb.equals("BDAT")) {
      throw new IllegalArgumentException("use data(), startTls(), login() or bdat() for " + verb);
    }
    return command(verb, line, client.commandTimeout());
  }

  /**
   * STARTTLS (RFC 3207): completes after the TLS handshake (and the server certificate check).
   * Replies the server sent before the handshake are discarded, and what EHLO said is forgotten:
   * say EHLO again.
   */
  public CompletionStage<Reply> startTls() {
    if (tls) {
      throw new IllegalStateException("the connection is already encrypted");
    }
    CompletableFuture<Reply> f = new CompletableFuture<>();
    onLoop(
        () -> {
          Pending p =
              new Pending("STARTTLS", client.commandTimeout()) {
                @Override
                void onReply(Reply reply) {
                  if (reply.code() == 220) {
                    upgrade(this, reply);
                  } else {
                    lowerBarrier();
                    super.onReply(reply);
                  }
                }
              };
          p.future.whenComplete(complete(f));
          Runnable send = () -> {
            if (failure != null) {
              p.future.completeExceptionally(failure());
              return;
            }
            barrier = true;
            log.debug("C: STARTTLS");
            push(p, "STARTTLS", true);
          };
          if (barrier) {
            deferred.add(send);
          } else {
            send.run();
          }
        });
    return f;
  }

  /**
   * AUTH (RFC 4954) with the strongest mechanism the server offers of SCRAM-SHA-256, CRAM-MD5,
   * PLAIN and LOGIN.
   */
  public CompletionStage<Reply> login(String user, String secret) {
    return login(user, secret, null);
  }

  /**
   * AUTH with this mechanism (PLAIN, LOGIN, CRAM-MD5, XOAUTH2 with a token as the secret,
   * SCRAM-SHA-256), or the strongest offered when {@code null}.
   *
   * @throws IllegalArgumentException when a value holds CR, LF or NUL, or the mechanism is unknown
   * @throws IllegalStateException when a mechanism that shows the secret would run over plaintext
   *     and the client does not allow it, or no usable mechanism is offered
   */
  public CompletionStage<Reply> login(String user, String secret, @Nullable String mechanism) {
    Credentials credentials = new Credentials(user, secret, mechanism);
    String chosen = mechanism == null ? pickMechanism() : mechanism.toUpperCase(Locale.ROOT);
    if (SaslClientExchange.exposesSecret(chosen) && !tls && !client.allowInsecureAuth()) {
      throw new IllegalStateException(
          chosen + " would send the secret over an unencrypted connection (allowInsecureAuth is off)");
    }
    SaslClientExchange exchange =
        SaslClientExchange.start(chosen, credentials.username(), credentials.secret())
            .orElseThrow(() -> new IllegalArgumentException("unknown SASL mechanism: " + chosen));
    CompletableFuture<Reply> f = new CompletableFuture<>();
    onLoop(
        () -> {
          Runnable start =
              () -> {
                if (failure != null) {
                  f.completeExceptionally(failure());
                  return;
                }
                barrier = true;
                byte[] initial = exchange.initialResponse();
                String line = "AUTH " + exchange.mechanism();
                if (initial != null) {
                  line += " " + (initial.length == 0 ? "=" : base64(initial));
                }
                enqueueNow("AUTH", line, client.commandTimeout(), true, true)
                    .whenComplete((r, e) -> authStep(exchange, user, r, e, f));
              };
          if (barrier) {
            deferred.add(start);
          } else {
            start.run();
          }
        });
    return f;
  }

  private String pickMechanism() {
    List<String> offered = extensions.authMechanisms();
    if (offered.isEmpty()) {
      throw new IllegalStateException("the server offers no AUTH (say EHLO first)");
    }
    for (String m : SaslClientExchange.PASSWORD_PREFERENCE) {
      if (offered.contains(m)
          && (tls || client.allowInsecureAuth() || !SaslClientExchange.exposesSecret(m))) {
        return m;
      }
    }
    throw new IllegalStateException(
        "no usable SASL mechanism among " + offered + (tls ? "" : " over an unencrypted connection"));
  }

  private void authStep(
      SaslClientExchange exchange,
      String user,
      @Nullable Reply reply,
      @Nullable Throwable error,
      CompletableFuture<Reply> f) {
    if (error != null) {
      lowerBarrier();
      f.completeExceptionally(unwrap(error));
      return;
    }
    Reply r = Objects.requireNonNull(reply);
    if (r.code() == 334) {
      byte[] answer;
      try {
        byte[] challenge = Base64.getDecoder().decode(r.lines().get(0).strip());
        answer = exchange.respond(challenge);
      } catch (IllegalArgumentException e) {
        // cancel the exchange (RFC 4954 section 4), then report why
        enqueueNow("AUTH", "*", client.commandTimeout(), true, true)
            .whenComplete(
                (ignored, e2) -> {
                  lowerBarrier();
                  f.completeExceptionally(
                      new SmtpConnectionException("AUTH " + exchange.mechanism() + " cancelled: " + e.getMessage(), e));
                });
        return;
      }
      enqueueNow("AUTH", base64(answer), client.commandTimeout(), true, true)
          .whenComplete((r2, e2) -> authStep(exchange, user, r2, e2, f));
      return;
    }
    lowerBarrier();
    if (r.code() == 235 && !exchange.complete()) {
      SmtpConnectionException e =
          new SmtpConnectionException(
              "AUTH " + exchange.mechanism() + ": the server reported success without proving itself");
      fail(e);
      f.completeExceptionally(e);
      return;
    }
    if (r.code() != 235) {
      f.completeExceptionally(
          new SmtpConnectionException("AUTH answered with " + r + ", not 235"));
      return;
    }
    authenticatedAs = user;
    f.complete(r);
  }

  private static String base64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }

  // ---------------------------------------------------------------- whole transactions

  /**
   * Prepares the session as the client is configured: EHLO (HELO when EHLO is refused, LHLO in
   * LMTP mode), STARTTLS by the TLS policy and EHLO again, AUTH when credentials are set. Does only
   * what is not done yet.
   */
  public CompletionStage<Extensions> prepare() {
    synchronized (this) {
      // sends issued together share one preparation instead of greeting twice
      CompletableFuture<Extensions> running = preparing;
      if (running != null && !running.isDone()) {
        return running;
      }
      CompletableFuture<Extensions> started = prepareNow().toCompletableFuture();
      preparing = started;
      return started;
    }
  }

  private CompletionStage<Extensions> prepareNow() {
    CompletionStage<Extensions> stage = CompletableFuture.completedFuture(extensions);
    if (!greeted) {
      stage = greet();
    }
    TlsPolicy policy = client.tlsPolicy();
    if (!tls && policy != TlsPolicy.NONE) {
      stage =
          stage.thenCompose(
              ext -> {
                if (!ext.startTls()) {
                  if (policy == TlsPolicy.REQUIRED) {
                    return failed(new SmtpConnectionException("the server does not offer STARTTLS, and TLS is required"));
                  }
                  return CompletableFuture.completedFuture(ext);
                }
                return startTls()
                    .thenCompose(r -> greet())
                    .exceptionallyCompose(
                        e -> {
                          Throwable cause = unwrap(e);
                          if (policy == TlsPolicy.OPPORTUNISTIC
                              && cause instanceof SmtpReplyException
                              && isOpen()) {
                            return CompletableFuture.completedFuture(ext);
                          }
                          return failed(cause);
                        });
              });
    }
    Credentials credentials = client.credentials();
    if (credentials != null && authenticatedAs == null) {
      stage =
          stage.thenCompose(
              ext -> {
                if (ext.authMechanisms().isEmpty()) {
                  return failed(new SmtpConnectionException("credentials are set but the server offers no AUTH"));
                }
                return login(credentials.username(), credentials.secret(), credentials.mechanism())
                    .thenApply(r -> extensions);
              });
    }
    return stage;
  }

  private CompletionStage<Extensions> greet() {
    String name = client.localHost(channel.localAddress());
    if (client.lmtp()) {
      return lhlo(name).thenApply(r -> extensions);
    }
    return ehlo(name)
        .thenApply(r -> extensions)
        .exceptionallyCompose(
            e -> {
              Throwable cause = unwrap(e);
              if (cause instanceof SmtpReplyException re && re.reply().isPermanent()) {
                return helo(name).thenApply(r -> Extensions.NONE);
              }
              return failed(cause);
            });
  }

  /**
   * Sends one message: {@link #prepare()} first, then MAIL, RCPT and DATA (pipelined when the
   * server offers PIPELINING, reading every reply), the content, and the final reply. {@code
   * SIZE=}, {@code BODY=8BITMIME} and {@code SMTPUTF8} are declared when offered and needed; a
   * message over the server's SIZE, or an address that needs SMTPUTF8 the server lacks, is refused
   * locally. BDAT is used when the server offers CHUNKING and the client is set to use it.
   *
   * <p>Recipients the server refuses are in the result; the stage fails with {@link
   * SmtpReplyException} when MAIL, every recipient, DATA or the message is refused. After a failed
   * transaction the client sends RSET, so the connection can send again.
   */
  public CompletionStage<SendResult> send(MailEnvelope envelope, MessageContent content) {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(content, "content");
    return prepare().thenCompose(ext -> transaction(ext, envelope, content));
  }

  private CompletionStage<SendResult> transaction(
      Extensions ext, MailEnvelope envelope, MessageContent content) {
    MailParameters params = envelope.mailParameters();
    if (envelope.needsSmtpUtf8()) {
      if (!ext.smtpUtf8()) {
        return failed(
            new SmtpReplyException(
                "MAIL",
                Reply.of(553, "5.6.7", "an address needs SMTPUTF8, which the server does not offer"),
                true));
      }
      params = params.with("SMTPUTF8", "");
    }
    long size = content.size().orElse(-1);
    if (size >= 0 && ext.maxSize().isPresent() && size > ext.maxSize().getAsLong()) {
      return failed(
          new SmtpReplyException(
              "MAIL",
              Reply.of(
                  552,
                  "5.3.4",
                  "message size " + size + " exceeds the server's limit " + ext.maxSize().getAsLong()),
              true));
    }
    if (size >= 0 && ext.has("SIZE")) {
      params = params.with("SIZE", Long.toString(size));
    }
    if (content.encoding() != MessageContent.Encoding.SEVEN_BIT && ext.eightBitMime()) {
      params = params.with("BODY", "8BITMIME");
    }
    boolean chunking = client.chunking() && ext.chunking() && !lmtp;
    String mailLine = "MAIL FROM:" + envelope.from() + params(params);
    String rcptParams = params(envelope.recipientParameters());
    if (ext.pipelining()) {
      // MAIL, every RCPT and DATA in one flush; DATA is last in the group (RFC 2920 section 3.1)
      CompletionStage<Reply> mail = settle(issue("MAIL", mailLine, client.commandTimeout(), false));
      List<CompletionStage<Reply>> rcpts = new ArrayList<>();
      for (Mailbox to : envelope.recipients()) {
        rcpts.add(
            settle(
                issue("RCPT", "RCPT TO:<" + to.address() + ">" + rcptParams, client.commandTimeout(), false)));
      }
      CompletableFuture<Reply> data = chunking ? null : issueData(false);
      onLoop(channel::flush);
      List<CompletableFuture<?>> all = new ArrayList<>();
      all.add(mail.toCompletableFuture());
      rcpts.forEach(r -> all.add(r.toCompletableFuture()));
      return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
          .thenCompose(
              v ->
                  proceed(
                      envelope,
                      content,
                      mail.toCompletableFuture().join(),
                      joinAll(rcpts),
                      data,
                      chunking));
    }
    return settle(issue("MAIL", mailLine, client.commandTimeout(), true))
        .thenCompose(
            mailReply -> {
              if (!mailReply.isPositive()) {
                return proceed(envelope, content, mailReply, List.of(), null, chunking);
              }
              CompletionStage<List<Reply>> replies = CompletableFuture.completedFuture(List.of());
              for (Mailbox to : envelope.recipients()) {
                replies =
                    replies.thenCompose(
                        list ->
                            settle(
                                    issue(
                                        "RCPT",
                                        "RCPT TO:<" + to.address() + ">" + rcptParams,
                                        client.commandTimeout(),
                                        true))
                                .thenApply(
                                    r -> {
                                      List<Reply> more = new ArrayList<>(list);
                                      more.add(r);
                                      return more;
                                    }));
              }
              return replies.thenCompose(
                  list -> {
                    boolean any = list.stream().anyMatch(Reply::isPositive);
                    CompletableFuture<Reply> data = any && !chunking ? issueData(true) : null;
                    return proceed(envelope, content, mailReply, list, data, chunking);
                  });
            });
  }

  private static List<Reply> joinAll(List<CompletionStage<Reply>> stages) {
    List<Reply> replies = new ArrayList<>(stages.size());
    for (CompletionStage<Reply> s : stages) {
      replies.add(s.toCompletableFuture().join());
    }
    return replies;
  }

  /** After the envelope's replies: the content, or a clean end of a failed transaction. */
  private CompletionStage<SendResult> proceed(
      MailEnvelope envelope,
      MessageContent content,
      Reply mail,
      List<Reply> rcpts,
      @Nullable CompletableFuture<Reply> data,
      boolean chunking) {
    if (!mail.isPositive()) {
      return abort(data, new SmtpReplyException("MAIL", mail));
    }
    int accepted = 0;
    for (Reply r : rcpts) {
      if (r.isPositive()) {
        accepted++;
      }
    }
    if (accepted == 0) {
      return abort(data, new SmtpReplyException("RCPT", rcpts.get(0)));
    }
    CompletionStage<List<Reply>> end;
    if (chunking) {
      end = sendChunks(content).thenApply(List::of);
    } else {
      end = writeMessage(Objects.requireNonNull(data), content, lmtp ? accepted : 1);
    }
    return end.<CompletionStage<SendResult>>handle(
            (replies, e) -> {
              if (e != null) {
                return this.<SendResult>rsetThenFail(unwrap(e));
              }
              List<SendResult.RecipientReply> result = new ArrayList<>();
              int next = 0;
              for (int i = 0; i < rcpts.size(); i++) {
                Reply r = rcpts.get(i);
                if (lmtp && r.isPositive()) {
                  r = replies.get(next++);
                }
                result.add(new SendResult.RecipientReply(envelope.recipients().get(i), r));
              }
              Reply last = replies.get(replies.size() - 1);
              boolean delivered = false;
              for (Reply r : replies) {
                delivered |= r.isPositive();
              }
              if (!delivered) {
                return this.<SendResult>rsetThenFail(new SmtpReplyException("message", replies.get(0)));
              }
              messagesSent++;
              return CompletableFuture.<SendResult>completedFuture(new SendResult(result, last));
            })
        .thenCompose(s -> s);
  }

  /** Ends a transaction that cannot deliver: an empty message if DATA was accepted anyway, RSET. */
  private CompletionStage<SendResult> abort(@Nullable CompletableFuture<Reply> data, Throwable error) {
    if (data == null) {
      return rsetThenFail(error);
    }
    return data.handle((r, e) -> r)
        .thenCompose(
            r -> {
              if (r == null) {
                return rsetThenFail(error);
              }
              // RFC 2920 section 3.1: DATA accepted without recipients; end it with an empty message
              return writeMessage(data, MessageContent.of(new byte[0]), 1)
                  .handle((x, e) -> null)
                  .thenCompose(x -> rsetThenFail(error));
            });
  }

  private <T> CompletionStage<T> rsetThenFail(Throwable error) {
    if (!(error instanceof SmtpReplyException) || !isOpen()) {
      return failed(error);
    }
    return rset().handle((r, e) -> null).thenCompose(x -> failed(error));
  }

  /** BDAT chunks of the content, each after the reply to the one before; the last reply. */
  private CompletionStage<Reply> sendChunks(MessageContent content) {
    InputStream in;
    try {
      in = content.open();
    } catch (IOException e) {
      return failed(new SmtpConnectionException("cannot read the message", e));
    }
    MessageEncoder encoder = new MessageEncoder(in, false);
    CompletableFuture<Reply> done = new CompletableFuture<>();
    onLoop(() -> nextChunk(encoder, null, done));
    return done.whenComplete(
        (r, e) -> {
          try {
            encoder.close();
          } catch (Exception ignored) {
            // closing a finished stream
          }
        });
  }

  private void nextChunk(MessageEncoder encoder, @Nullable ByteBuf current, CompletableFuture<Reply> done) {
    ByteBuf chunk = current;
    ByteBuf next;
    try {
      if (chunk == null) {
        chunk = encoder.readChunk(channel.alloc());
      }
      next = encoder.isEndOfInput() ? null : encoder.readChunk(channel.alloc());
    } catch (IOException e) {
      if (chunk != null) {
        chunk.release();
      }
      // the server waits for the rest of a chunk it was announced: only closing ends that
      SmtpConnectionException error = new SmtpConnectionException("cannot read the message", e);
      fail(error);
      done.completeExceptionally(error);
      return;
    }
    boolean last = next == null || encoder.isEndOfInput() && next.readableBytes() == 0 && release(next);
    ByteBuf following = last ? null : next;
    bdatNow(Objects.requireNonNull(chunk), last)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                if (following != null) {
                  following.release();
                }
                done.completeExceptionally(unwrap(e));
              } else if (following == null) {
                done.complete(r);
              } else {
                nextChunk(encoder, following, done);
              }
            });
  }

  private static boolean release(ByteBuf buf) {
    buf.release();
    return true;
  }

  // ---------------------------------------------------------------- plumbing

  /** Closes the connection at once, without QUIT. */
  @Override
  public void close() {
    channel.close();
  }

  private CompletionStage<Reply> command(String verb, String line, Duration timeout) {
    return issue(verb, line, timeout, true);
  }

  /** Writes the command when nothing holds the session (deferred otherwise). */
  private CompletableFuture<Reply> issue(String verb, String line, Duration timeout, boolean flush) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    onLoop(
        () -> {
          if (barrier) {
            if (deferred.size() >= client.maxPendingCommands()) {
              f.completeExceptionally(
                  new IllegalStateException(
                      "more than " + client.maxPendingCommands() + " commands wait to be written"));
              return;
            }
            deferred.add(() -> enqueueNow(verb, line, timeout, flush, false).whenComplete(complete(f)));
          } else {
            enqueueNow(verb, line, timeout, flush, false).whenComplete(complete(f));
          }
        });
    return f;
  }

  /** A stage whose 4xx/5xx reply is a value instead of a failure. */
  private static CompletionStage<Reply> settle(CompletionStage<Reply> stage) {
    return stage.handle((r, e) -> replyOf(r, e));
  }

  /** On the loop: writes the line whatever the barrier says, and waits for its reply. */
  private CompletableFuture<Reply> enqueueNow(
      String verb, String line, Duration timeout, boolean flush, boolean sensitive) {
    Pending p = new Pending(verb, timeout);
    if (failure != null) {
      p.future.completeExceptionally(failure());
      return p.future;
    }
    if (pending.size() >= client.maxPendingCommands()) {
      p.future.completeExceptionally(
          new IllegalStateException(
              "more than " + client.maxPendingCommands() + " commands wait for replies"));
      return p.future;
    }
    if (log.isDebugEnabled()) {
      log.debug("C: {}", sensitive ? verb + " ****" : line);
    }
    push(p, line, flush);
    return p.future;
  }

  private void push(Pending p, String line, boolean flush) {
    pending.add(p);
    ByteBuf buf = channel.alloc().buffer(line.length() + 2);
    ByteBufUtil.writeUtf8(buf, line);
    buf.writeByte('\r').writeByte('\n');
    // a failed write reaches exceptionCaught, which fails the connection
    if (flush) {
      channel.writeAndFlush(buf, channel.voidPromise());
    } else {
      channel.write(buf, channel.voidPromise());
    }
    if (pending.size() == 1) {
      arm();
    }
  }

  /** On the loop: writes a message or chunk whose replies are expected once it is all written. */
  private CompletionStage<List<Reply>> writeBody(Object body, int replies, String what) {
    List<CompletableFuture<Reply>> futures = new ArrayList<>(replies);
    if (failure != null) {
      if (body instanceof MessageEncoder encoder) {
        try {
          encoder.close();
        } catch (Exception ignored) {
          // nothing more to do
        }
      } else {
        io.netty.util.ReferenceCountUtil.release(body);
      }
      return failed(failure());
    }
    List<Pending> waiting = new ArrayList<>();
    for (int i = 0; i < replies; i++) {
      Pending p = new Pending(what, client.finalTimeout());
      p.sent = false;
      waiting.add(p);
      pending.add(p);
      futures.add(p.future);
    }
    ScheduledFuture<?> watchdog = body instanceof MessageEncoder encoder ? watchProgress(encoder) : null;
    channel
        .writeAndFlush(body)
        .addListener(
            w -> {
              if (watchdog != null) {
                watchdog.cancel(false);
              }
              if (!w.isSuccess()) {
                fail(new SmtpConnectionException("cannot write the " + what, w.cause()));
                return;
              }
              for (Pending p : waiting) {
                p.sent = true;
              }
              arm();
            });
    // later commands may be written now: they queue behind the content
    lowerBarrier();
    CompletableFuture<List<Reply>> all = new CompletableFuture<>();
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (v, e) -> {
              List<Reply> list = new ArrayList<>(replies);
              Throwable firstError = null;
              for (CompletableFuture<Reply> f : futures) {
                try {
                  list.add(f.join());
                } catch (CompletionException ce) {
                  Throwable cause = unwrap(ce);
                  if (cause instanceof SmtpReplyException re && replies > 1) {
                    list.add(re.reply());
                  } else if (firstError == null) {
                    firstError = cause;
                  }
                }
              }
              if (firstError != null) {
                all.completeExceptionally(firstError);
              } else {
                all.complete(list);
              }
            });
    return all;
  }

  /** Fails the connection when writing the content makes no progress for the data block timeout. */
  private ScheduledFuture<?> watchProgress(MessageEncoder body) {
    long period = client.dataBlockTimeout().toNanos();
    long[] last = {-1};
    return channel
        .eventLoop()
        .scheduleAtFixedRate(
            () -> {
              long now = body.progress();
              if (now == last[0] && !body.isEndOfInput()) {
                fail(
                    new SmtpConnectionException(
                        "the server took no message data for " + client.dataBlockTimeout()));
              }
              last[0] = now;
            },
            period,
            period,
            TimeUnit.NANOSECONDS);
  }

  private void lowerBarrier() {
    barrier = false;
    if (deferred.isEmpty()) {
      return;
    }
    while (!barrier && !deferred.isEmpty()) {
      deferred.poll().run();
    }
    channel.flush();
  }

  /**
   * Starts the reply deadline of the oldest command once it is fully written. One timer serves
   * all commands: it stays scheduled while replies come, and when it fires it checks the deadline
   * of whatever is oldest then (and sleeps again until that one).
   */
  private void arm() {
    Pending head = pending.peek();
    if (head == null || !head.sent || failure != null || head.deadline != 0) {
      return;
    }
    head.deadline = System.nanoTime() + head.timeout.toNanos();
    if (timer == null || timerAt - head.deadline > 0) {
      schedule(head.deadline);
    }
  }

  private void schedule(long at) {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    timerAt = at;
    timer = channel.eventLoop().schedule(this::checkDeadline, at - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void checkDeadline() {
    timer = null;
    Pending head = pending.peek();
    if (head == null || head.deadline == 0 || failure != null) {
      return;
    }
    if (System.nanoTime() - head.deadline >= 0) {
      fail(new SmtpConnectionException("no reply to " + head.verb + " within " + head.timeout));
    } else {
      schedule(head.deadline);
    }
  }

  /** Fails every waiting command with this cause and closes the connection. */
  void fail(Throwable cause) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> fail(cause));
      return;
    }
    if (failure == null) {
      failure = cause;
      if (log.isDebugEnabled()) {
        log.debug("connection to {} failed: {}", channel.remoteAddress(), cause.toString());
      }
    }
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
      timer = null;
    }
    Pending p = startTlsPending;
    if (p != null) {
      startTlsPending = null;
      p.future.completeExceptionally(failure());
    }
    while ((p = pending.poll()) != null) {
      p.future.completeExceptionally(failure());
    }
    barrier = false;
    Runnable r;
    while ((r = deferred.poll()) != null) {
      r.run();
    }
    channel.close();
  }

  private Throwable failure() {
    Throwable f = failure;
    return f == null ? new SmtpConnectionException("connection closed") : f;
  }

  private void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  /** On the loop: the 220 to STARTTLS arrived; everything the server sent after it is dropped. */
  private void upgrade(Pending p, Reply reply) {
    discarding = true;
    startTlsPending = p;
    p.reply = reply;
    ChannelPipeline pipeline = channel.pipeline();
    // the old decoder passes its buffered octets on as a ByteBuf, which the handler drops
    pipeline.remove(LINES);
    pipeline.addBefore(HANDLER, LINES, newLineDecoder());
    parser.reset();
    pipeline.addFirst("smtp-client-tls", client.newSslHandler(channel, host, port));
  }

  private void handshakeDone(SslHandshakeCompletionEvent event) {
    if (!event.isSuccess()) {
      fail(new SmtpConnectionException("TLS handshake failed: " + event.cause().getMessage(), event.cause()));
      return;
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    SSLEngine engine = ssl.engine();
    TlsInfo info = TlsInfo.of(engine.getSession());
    ServerCertificateCheck check = client.certificateCheck();
    if (check != null && !check.accept(host, info)) {
      fail(new SmtpConnectionException("the server certificate was rejected by the check"));
      return;
    }
    tlsInfo = info;
    tls = true;
    if (discarded > 0) {
      log.warn(
          "discarded {} octets {} sent after its STARTTLS reply, before the TLS handshake",
          discarded,
          channel.remoteAddress());
    }
    discarding = false;
    Pending p = startTlsPending;
    if (p != null) {
      startTlsPending = null;
      // what the server said in plaintext no longer holds (RFC 3207 section 4.2)
      extensions = Extensions.NONE;
      greeted = false;
      authenticatedAs = null;
      pending.remove(p);
      p.future.complete(Objects.requireNonNull(p.reply));
      lowerBarrier();
      arm();
    }
  }

  private void onReply(Reply reply) {
    Pending p = pending.poll();
    if (p == null) {
      fail(new SmtpConnectionException("reply without a command: " + reply));
      return;
    }
    ReplyObserver observer = client.replyObserver();
    if (observer != null) {
      observer.reply(p.verb, reply);
    }
    p.onReply(reply);
    if (p.verb.equals("QUIT") || reply.code() == 421) {
      // the server closes: do not wait for more
      if (reply.code() == 421) {
        fail(new SmtpReplyException(p.verb, reply));
      }
      return;
    }
    if (p != startTlsPending) {
      arm();
    }
  }

  private static <T> java.util.function.BiConsumer<T, @Nullable Throwable> complete(CompletableFuture<T> f) {
    return (v, e) -> {
      if (e != null) {
        f.completeExceptionally(unwrap(e));
      } else {
        f.complete(v);
      }
    };
  }

  static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static <T> CompletableFuture<T> failed(Throwable e) {
    return CompletableFuture.failedFuture(e);
  }

  private static Reply replyOf(@Nullable Reply r, @Nullable Throwable e) {
    if (r != null) {
      return r;
    }
    Throwable cause = unwrap(Objects.requireNonNull(e));
    if (cause instanceof SmtpReplyException re) {
      return re.reply();
    }
    throw cause instanceof RuntimeException rt ? rt : new CompletionException(cause);
  }

  @Override
  public String toString() {
    return "SmtpConnection[" + channel.remoteAddress() + (tls ? ", TLS" : "") + "]";
  }

  /** A command waiting for its reply. */
  private class Pending {
    final String verb;
    final Duration timeout;
    final CompletableFuture<Reply> future = new CompletableFuture<>();
    boolean sent = true;
    long deadline;
    @Nullable Reply reply;

    Pending(String verb, Duration timeout) {
      this.verb = verb;
      this.timeout = timeout;
    }

    void onReply(Reply reply) {
      if (reply.isPositive()) {
        future.complete(reply);
      } else {
        future.completeExceptionally(new SmtpReplyException(verb, reply));
      }
    }
  }

  /** Reads reply lines and hands complete replies to the connection. */
  private final class Handler extends ChannelInboundHandlerAdapter {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        arm();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      arm();
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        if (discarding) {
          discarded += buf.readableBytes();
          return;
        }
        if (failure != null) {
          return;
        }
        String line = buf.toString(StandardCharsets.UTF_8);
        if (log.isDebugEnabled()) {
          log.debug("S: {}", line);
        }
        ReplyParser.Step step = parser.line(line);
        if (step instanceof ReplyParser.Step.Done done) {
          Reply reply = done.reply();
          onReply(reply);
        } else if (step instanceof ReplyParser.Step.Malformed bad) {
          fail(new SmtpConnectionException("malformed reply: " + bad.reason()));
        }
      } finally {
        buf.release();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        handshakeDone(e);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Pending head = pending.peek();
      fail(
          new SmtpConnectionException(
              "connection closed by the server"
                  + (head != null ? " while waiting for the reply to " + head.verb : "")));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof TooLongFrameException) {
        fail(new SmtpConnectionException("reply line longer than " + client.maxReplyLineLength() + " octets", cause));
      } else if (cause instanceof io.netty.handler.codec.DecoderException
          && cause.getCause() instanceof javax.net.ssl.SSLException ssl) {
        fail(new SmtpConnectionException("TLS failed: " + ssl.getMessage(), ssl));
      } else {
        fail(new SmtpConnectionException("connection failed: " + cause.getMessage(), cause));
      }
    }
  }

}
