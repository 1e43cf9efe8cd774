package io.smtpprotocol.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.tls.TlsInfo;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One SMTP session as a client. Every command returns a {@link CompletionStage} of its reply; a
 * FIFO matches replies to commands, so commands may be issued without waiting for earlier replies
 * and pipeline naturally (RFC 2920: do so only when the server offers {@code PIPELINING}).
 *
 * <p>A 4xx or 5xx reply completes the stage exceptionally with {@link SmtpReplyException}; a broken
 * or closed connection, a reply that does not come in time, or a malformed reply completes every
 * waiting stage with {@link SmtpConnectionException} and closes the connection.
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

  static final String TLS = "smtp-client-tls";
  static final String LINES = "smtp-client-lines";
  static final String HANDLER = "smtp-client";

  private final ClientConfig config;
  private final Channel channel;
  private final CompletableFuture<Reply> greeting;
  private final SessionState state = new SessionState();
  private final CommandQueue commands;
  private final TlsUpgrade tls;
  private final SaslLogin sasl;
  private final MessageWriter writer;
  private final SessionSetup setup;
  private final Transaction transaction;

  SmtpConnection(SmtpClient client, Channel channel, String host, int port) {
    this.config = client.config();
    this.channel = channel;
    this.commands = new CommandQueue(channel, config);
    this.greeting = commands.greeting();
    this.tls = new TlsUpgrade(channel, commands, state, client.tls(), config, host, port);
    this.sasl = new SaslLogin(commands, state, config);
    this.writer = new MessageWriter(channel, commands, config);
    this.setup = new SessionSetup(this, state, config);
    this.transaction = new Transaction(this, commands, writer, state, config);
  }

  /** Adds the client's handlers to the end of the channel's pipeline. */
  void install(ChannelPipeline pipeline) {
    pipeline.addLast(LINES, ReplyHandler.lineDecoder(config));
    pipeline.addLast(HANDLER, new ReplyHandler(commands, tls, writer, config));
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
    return state.extensions;
  }

  /** Whether the connection is encrypted (implicit TLS, or after STARTTLS). */
  public boolean isTls() {
    return state.tls;
  }

  /** The negotiated TLS session, when encrypted. */
  public Optional<TlsInfo> tlsInfo() {
    return Optional.ofNullable(state.tlsInfo);
  }

  /** The user this session authenticated as, if it did. */
  public Optional<String> authenticatedUser() {
    return Optional.ofNullable(state.authenticatedAs);
  }

  /** Whether the connection is open and has not failed. */
  public boolean isOpen() {
    return channel.isActive() && !commands.hasFailed();
  }

  /** How many messages {@link #send} delivered on this connection. */
  public int messagesSent() {
    return state.messagesSent;
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
    return command("HELO", "HELO " + domain, config.commandTimeout())
        .thenApply(
            r -> {
              state.extensions = Extensions.NONE;
              state.greeted = true;
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
    return command(verb, verb + " " + domain, config.commandTimeout())
        .thenApply(
            r -> {
              state.extensions = Extensions.parse(r);
              state.lmtp = verb.equals("LHLO");
              state.greeted = true;
              return r;
            });
  }

  /** MAIL FROM with parameters. */
  public CompletionStage<Reply> mailFrom(ReversePath from, MailParameters parameters) {
    Objects.requireNonNull(from, "from");
    Values.check(parameters);
    return command("MAIL", mailLine(from, parameters), config.commandTimeout());
  }

  /** MAIL FROM without parameters. */
  public CompletionStage<Reply> mailFrom(ReversePath from) {
    return mailFrom(from, MailParameters.EMPTY);
  }

  /** RCPT TO with parameters. */
  public CompletionStage<Reply> rcptTo(Mailbox to, MailParameters parameters) {
    Objects.requireNonNull(to, "to");
    Values.check(parameters);
    return command("RCPT", rcptLine(to, parameters), config.commandTimeout());
  }

  /** RCPT TO without parameters. */
  public CompletionStage<Reply> rcptTo(Mailbox to) {
    return rcptTo(to, MailParameters.EMPTY);
  }

  static String mailLine(ReversePath from, MailParameters parameters) {
    return "MAIL FROM:" + from + params(parameters);
  }

  static String rcptLine(Mailbox to, MailParameters parameters) {
    return "RCPT TO:<" + to.address() + ">" + params(parameters);
  }

  private static String params(MailParameters parameters) {
    return parameters.isEmpty() ? "" : " " + parameters;
  }

  /**
   * DATA: completes with the {@code 354}. Until {@link #message} has written the content, commands
   * issued later wait; when DATA is refused they go on.
   */
  public CompletionStage<Reply> data() {
    return writer.data();
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
   * Writes the content after {@link #data()}: bare CR and LF become CRLF, leading dots are doubled,
   * and {@code .} ends it. Fails with DATA's failure when DATA was refused.
   */
  public CompletionStage<Reply> message(MessageContent content) {
    return message(content, 1).thenApply(replies -> replies.get(0));
  }

  /**
   * The content after DATA, and the {@code replies} replies that end it (LMTP: one per recipient).
   */
  CompletionStage<List<Reply>> message(MessageContent content, int replies) {
    return writer.message(content, replies);
  }

  /**
   * BDAT (RFC 3030): one chunk, sent as it is (no dot-stuffing, no line ending changes).
   *
   * @param last whether this is the last chunk ({@code BDAT n LAST})
   */
  public CompletionStage<Reply> bdat(byte[] chunk, boolean last) {
    return writer.bdat(chunk, last);
  }

  /** RSET: ends the transaction. */
  public CompletionStage<Reply> rset() {
    return command("RSET", "RSET", config.commandTimeout());
  }

  /** NOOP. */
  public CompletionStage<Reply> noop() {
    return command("NOOP", "NOOP", config.commandTimeout());
  }

  /** VRFY. */
  public CompletionStage<Reply> verify(String user) {
    Values.check("user", user);
    return command("VRFY", "VRFY " + user, config.commandTimeout());
  }

  /** QUIT: the connection is closed once the server answers (or fails). */
  public CompletionStage<Reply> quit() {
    CompletionStage<Reply> r = command("QUIT", "QUIT", config.commandTimeout());
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
    if (verb.equals("DATA")
        || verb.equals("STARTTLS")
        || verb.equals("AUTH")
        || verb.equals("BDAT")) {
      throw new IllegalArgumentException("use data(), startTls(), login() or bdat() for " + verb);
    }
    return command(verb, line, config.commandTimeout());
  }

  /**
   * STARTTLS (RFC 3207): completes after the TLS handshake (and the server certificate check).
   * Replies the server sent before the handshake are discarded, and what EHLO said is forgotten:
   * say EHLO again.
   */
  public CompletionStage<Reply> startTls() {
    if (state.tls) {
      throw new IllegalStateException("the connection is already encrypted");
    }
    return tls.startTls();
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
    return sasl.login(user, secret, mechanism);
  }

  // ---------------------------------------------------------------- whole transactions

  /**
   * Prepares the session as the client is configured: EHLO (HELO when EHLO is refused, LHLO in LMTP
   * mode), STARTTLS by the TLS policy and EHLO again, AUTH when credentials are set. Does only what
   * is not done yet.
   */
  public CompletionStage<Extensions> prepare() {
    return setup.prepare();
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
    return prepare().thenCompose(ext -> transaction.send(ext, envelope, content));
  }

  // ---------------------------------------------------------------- plumbing

  /** Closes the connection at once, without QUIT. */
  @Override
  public void close() {
    channel.close();
  }

  private CompletionStage<Reply> command(String verb, String line, Duration timeout) {
    return commands.issue(verb, line, timeout, true);
  }

  @Override
  public String toString() {
    return "SmtpConnection[" + channel.remoteAddress() + (state.tls ? ", TLS" : "") + "]";
  }
}
