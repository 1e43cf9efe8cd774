package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.auth.SaslExchange;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.auth.SaslStep;
import io.smtpprotocol.codec.SmtpInput;
import io.smtpprotocol.codec.SmtpInput.ContentStatus;
import io.smtpprotocol.codec.SmtpServerDecoder;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.CommandParser;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.server.SmtpServerObserver.ConnectionOutcome;
import io.smtpprotocol.server.SmtpServerObserver.MessageOutcome;
import io.smtpprotocol.tls.TlsInfo;
import io.smtpprotocol.tls.TlsMode;
import io.smtpprotocol.tls.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one SMTP connection. Runs on its channel's event loop only; handler methods
 * run on the server's executor and their answers come back to the event loop.
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
  private static final Logger transcript = LoggerFactory.getLogger("io.smtpprotocol.transcript");

  private final SmtpServer server;
  private final ServerConfig config;
  private final Limits limits;
  private final SmtpHandler handler;
  private final HandlerOverrides overrides;
  private final SmtpServerObserver observer;
  private final SmtpServerDecoder decoder;
  private final TlsSettings tlsSettings;
  private final AuthSettings authSettings;
  private final boolean debug = transcript.isDebugEnabled();

  private @Nullable ChannelHandlerContext ctx;
  private final long idleNanos;
  /** When the client must have sent what the session waits for (System.nanoTime()). */
  private long inputDeadline;
  private @Nullable ScheduledFuture<?> idleTimer;
  private SessionInfo info;
  private @Nullable InetAddress ip;
  private boolean counted;
  private boolean observedOpen;
  private @Nullable Transaction tx;
  private int badCommands;
  private int pendingDecisions;
  private Phase phase = Phase.GREETING;
  /** What the greeting still waits for; empty once it has been sent. */
  private final EnumSet<GreetingWait> greetingWaits = EnumSet.noneOf(GreetingWait.class);
  /**
   * The server shuts down: the transaction under way may finish, then the session closes. Not a
   * phase: it is asked for from outside, whatever the phase is.
   */
  private boolean draining;
  private @Nullable ScheduledFuture<?> sessionTimer;
  private @Nullable ScheduledFuture<?> greetingTimer;
  /** The AUTH exchange in progress: the next command lines are its responses. */
  private @Nullable AuthExchange authExchange;
  private int authFailures;
  /** A BDAT chunk being read: its command, and the reply to give when it was refused. */
  private Command.@Nullable Bdat chunk;
  private @Nullable Reply chunkRefusal;

  /** Where the session is in its life; each phase says what the session waits for. */
  enum Phase {
    /** Before the greeting: it waits for what {@link GreetingWait} lists. */
    GREETING,
    /** A TLS handshake is under way: implicit TLS before the greeting, or after STARTTLS. */
    TLS_HANDSHAKE,
    /** Commands and message content are read and answered. */
    COMMANDS,
    /** Reading waits until the client has taken the replies queued for it. */
    WRITE_BLOCKED,
    /** Closing or closed: nothing more is read or written. */
    CLOSED
  }

  /** What must happen before the greeting is sent. */
  enum GreetingWait {
    /** The handler's connect decision. */
    CONNECT,
    /** The configured greeting delay. */
    DELAY,
    /** Implicit TLS: the handshake and the handler's tls event. */
    TLS
  }

  /** One mail transaction's mutable state, event loop only. */
  private static final class Transaction {
    Envelope envelope;
    final long startNanos = System.nanoTime();
    boolean bdat;
    long bdatOctets;
    @Nullable MessageBody body;
    boolean handlerStarted;
    boolean handlerDone;
    @Nullable Decision decision;
    @Nullable ContentStatus contentEnd;
    long size;
    @Nullable Reply failure;

    Transaction(Envelope envelope) {
      this.envelope = envelope;
    }
  }

  /** One SASL exchange in progress. */
  private record AuthExchange(String mechanism, SaslExchange exchange) {}

  /** The longest AUTH line, CRLF included (RFC 4954 section 4). */
  static final int MAX_AUTH_LINE = 12_288;

  /** How long a closing connection's last reply may take to be written before it is dropped. */
  private static final long CLOSE_GRACE_MILLIS = 5_000;

  /** The longest delay before a failed AUTH is answered, however many failures. */
  private static final long MAX_AUTH_DELAY_MILLIS = 30_000;

  SmtpSession(SmtpServer server, SmtpServerDecoder decoder) {
    this.server = server;
    this.config = server.config();
    this.limits = config.limits();
    this.handler = config.handler();
    this.overrides = server.overrides();
    this.observer = config.observer();
    this.decoder = decoder;
    this.tlsSettings = config.tls();
    this.authSettings = config.auth();
    this.idleNanos = limits.idleTimeout().toNanos();
    this.info = new SessionInfo("-", new InetSocketAddress(0), new InetSocketAddress(0), Instant.now(), null, null, null);
  }

  private ChannelHandlerContext ctx() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("session not active");
    }
    return c;
  }

  // ================================================================ connection life

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SocketAddress remote = ctx.channel().remoteAddress();
    SocketAddress local = ctx.channel().localAddress();
    info =
        new SessionInfo(
            server.nextSessionId(),
            remote == null ? new InetSocketAddress(0) : remote,
            local == null ? new InetSocketAddress(0) : local,
            Instant.now(),
            null,
            null,
            null);
    ip = remote instanceof InetSocketAddress a ? a.getAddress() : null;
    if (tlsSettings.mode() == TlsMode.IMPLICIT) {
      // the handshake has begun; a refused connection is closed without a reply
      phase = Phase.TLS_HANDSHAKE;
      greetingWaits.add(GreetingWait.TLS);
    }
    if (!server.acceptsSessions()) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
      return;
    }
    if (!server.acquire(ip)) {
      observer.connectionOpened(ConnectionOutcome.LIMITED);
      closeWith(Replies.TOO_MANY_CONNECTIONS);
      return;
    }
    counted = true;
    armIdle();
    sessionTimer =
        ctx.executor()
            .schedule(
                () -> closeWith(Replies.SESSION_TIMEOUT),
                limits.sessionTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    greetingWaits.add(GreetingWait.CONNECT);
    if (!limits.greetingDelay().isZero()) {
      greetingWaits.add(GreetingWait.DELAY);
      greetingTimer =
          ctx.executor()
              .schedule(
                  () -> {
                    greetingWaits.remove(GreetingWait.DELAY);
                    greet();
                  },
                  limits.greetingDelay().toMillis(),
                  TimeUnit.MILLISECONDS);
    }
    if (debug) {
      transcript.debug("{} connected from {}", info.id(), info.remoteAddress());
    }
    decide(
        overrides.connect(),
        "connect",
        h -> h.connect(info),
        d -> {
          if (d.accepted()) {
            greetingWaits.remove(GreetingWait.CONNECT);
            greet();
          } else {
            observer.connectionOpened(ConnectionOutcome.REJECTED);
            closeWith(d.replyOr(Replies.CONNECTION_REJECTED, Replies.CONNECTION_REJECTED));
          }
        });
  }

  private void greet() {
    if (phase != Phase.GREETING || !greetingWaits.isEmpty()) {
      return;
    }
    phase = Phase.COMMANDS;
    observedOpen = true;
    observer.connectionOpened(ConnectionOutcome.ACCEPTED);
    write(server.greetingReply(), null);
    decoder.greetingSent();
    next();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    phase = Phase.CLOSED;
    decoder.stop();
    cancel(sessionTimer);
    cancel(greetingTimer);
    cancel(idleTimer);
    Transaction t = tx;
    if (t != null) {
      tx = null;
      if (t.body != null) {
        t.body.fail(new MessageAbortedException("connection lost"));
        observer.message(MessageOutcome.FAILED, t.size, sinceStart(t));
      }
    }
    if (counted) {
      counted = false;
      server.release(ip);
    }
    if (observedOpen) {
      observer.connectionClosed();
    }
    if (overrides.disconnect()) {
      notifyHandler("disconnect", () -> handler.disconnect(info));
    }
    if (debug) {
      transcript.debug("{} disconnected", info.id());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable problem =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (problem instanceof IOException || cause instanceof DecoderException && phase == Phase.TLS_HANDSHAKE) {
      log.debug("session {}: {}", info.id(), cause.toString());
    } else {
      warn("session {} failed", info.id(), cause);
    }
    phase = Phase.CLOSED;
    decoder.stop();
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      onHandshake(handshake);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (phase == Phase.WRITE_BLOCKED && ctx.channel().isWritable()) {
      phase = Phase.COMMANDS;
      next();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Gives the client the idle timeout from now to send what the session waits for. In command
   * mode only a new wait arms it: a command line must be complete within the idle timeout, however
   * slowly its octets trickle in (RFC 5321 4.5.3.2 times each command). Message content extends
   * it as it arrives.
   */
  private void armIdle() {
    inputDeadline = System.nanoTime() + idleNanos;
    if (idleTimer == null && ctx != null) {
      idleTimer = ctx.executor().schedule(this::idleCheck, idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void idleCheck() {
    idleTimer = null;
    if (phase == Phase.CLOSED) {
      return;
    }
    long left = inputDeadline - System.nanoTime();
    if (left > 0) {
      idleTimer = ctx().executor().schedule(this::idleCheck, left, TimeUnit.NANOSECONDS);
    } else if (waitsForClient()) {
      closeWith(Replies.IDLE_TIMEOUT);
    }
    // else the session waits for the application, whose time is not the client's: the next wait
    // for the client arms the timer again
  }

  /** Whether the session waits for the client: its input, or its reading of our replies. */
  private boolean waitsForClient() {
    return decoder.wantsInput()
        || phase == Phase.WRITE_BLOCKED
        || !greetingWaits.isEmpty() && pendingDecisions == 0;
  }

  /** Called by the server when it shuts down gracefully. */
  void drain() {
    draining = true;
    if (tx == null && pendingDecisions == 0) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
    }
  }

  /**
   * Called by the server when the drain time is over: closes at once, also a connection whose
   * client does not read (its last replies are abandoned).
   */
  void forceClose() {
    closeWith(Replies.SERVICE_SHUTTING_DOWN, true);
  }

  private void closeWith(Reply reply) {
    closeWith(reply, false);
  }

  /**
   * Answers with {@code reply} and closes. The close waits for the reply to be written, but never
   * for a client that does not read: with replies still queued for it the connection closes at
   * once, and otherwise after {@link #CLOSE_GRACE_MILLIS} at the latest.
   */
  private void closeWith(Reply reply, boolean now) {
    ChannelHandlerContext c = ctx();
    if (phase == Phase.CLOSED) {
      if (now) {
        c.close();
      }
      return;
    }
    boolean handshaking = phase == Phase.TLS_HANDSHAKE;
    phase = Phase.CLOSED;
    decoder.stop();
    cancel(idleTimer);
    if (handshaking) {
      // No reply can be sent in the middle of a handshake; its end is ours, not a TLS failure.
      c.close();
      return;
    }
    if (debug) {
      transcript.debug("{} S: {}", info.id(), reply);
    }
    boolean stuck = now || !c.channel().isWritable();
    ChannelFuture written = c.writeAndFlush(reply);
    if (stuck || written.isDone()) {
      c.close();
      return;
    }
    written.addListener(ChannelFutureListener.CLOSE);
    ScheduledFuture<?> grace =
        c.executor().schedule(() -> c.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    c.channel().closeFuture().addListener(f -> grace.cancel(false));
  }

  private static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  // ================================================================ input

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf content) {
      onContent(content);
    } else if (msg instanceof SmtpInput.CommandLine line) {
      onLine(line.text());
    } else if (msg instanceof SmtpInput.ContentProblem problem) {
      onContentProblem(problem.status());
    } else if (msg instanceof SmtpInput.ContentEnd end) {
      onContentEnd(end.status(), end.size());
    } else if (msg instanceof SmtpInput.ChunkEnd end) {
      onChunkEnd(end.size());
    } else if (msg instanceof SmtpInput.BadCommandLine bad) {
      if (debug) {
        transcript.debug("{} C: <bad line>", info.id());
      }
      AuthExchange a = authExchange;
      if (a != null) {
        endAuth();
        observer.auth(a.mechanism(), false);
      }
      write(bad.reply(), a != null ? Verb.AUTH : Verb.INVALID);
      next();
    } else if (msg instanceof SmtpInput.EarlyInput) {
      closeWith(Replies.EARLY_TALKER);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** Reads on: the next command, or 421 when the server drains or the client erred too often. */
  private void next() {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (badCommands >= limits.maxBadCommands()) {
      closeWith(Replies.TOO_MANY_ERRORS);
      return;
    }
    if (draining && tx == null) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
      return;
    }
    // Idle time counts from here: time spent waiting for a handler is not the client's.
    armIdle();
    // Replies back-pressure the commands: while the client leaves our replies unread beyond the
    // write buffer's bound, no further command is read (nor answered).
    ChannelHandlerContext c = ctx();
    if (!c.channel().isWritable()) {
      c.flush();
      if (!c.channel().isWritable()) {
        phase = Phase.WRITE_BLOCKED;
        return;
      }
    }
    decoder.request();
  }

  private void write(Reply reply, @Nullable Verb verb) {
    if (phase == Phase.CLOSED) {
      return;
    }
    ctx().write(reply);
    if (debug) {
      transcript.debug("{} S: {}", info.id(), reply.code() == 334 ? "334 ****" : reply);
    }
    if (verb != null) {
      observer.command(verb.name(), reply.code());
      switch (reply.code()) {
        case 500, 501, 502, 503, 504, 555 -> badCommands++;
        default -> {}
      }
    }
  }

  private void onLine(String text) {
    if (authExchange != null) {
      if (debug) {
        transcript.debug("{} C: ****", info.id());
      }
      onAuthResponse(text);
      return;
    }
    if (debug) {
      transcript.debug("{} C: {}", info.id(), redact(text));
    }
    if (!overrides.command() || authSettings.enabled() && isAuthLine(text)) {
      dispatch(CommandParser.parse(text));
      return;
    }
    int sp = text.indexOf(' ');
    String verb = (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
    String argument = sp < 0 ? "" : text.substring(sp + 1);
    Command parsed = CommandParser.parse(text);
    if (parsed instanceof Command.Invalid invalid && invalid.reply() == Replies.CONTROL_CHARACTER) {
      dispatch(parsed); // never hand control characters to the application
      return;
    }
    pendingDecisions++;
    SessionInfo snapshot = info;
    call(
        "command",
        () -> handler.command(snapshot, verb, argument),
        (Optional<Reply> result, @Nullable Throwable error) -> {
          pendingDecisions--;
          if (error != null) {
            write(failureReply("command", error), parsed.kind());
            next();
          } else if (result != null && result.isPresent()) {
            write(result.get(), parsed.kind());
            next();
          } else {
            dispatch(parsed);
          }
        });
  }

  /** Whether the line is an AUTH command, which the command hook never sees (credentials). */
  private static boolean isAuthLine(String line) {
    int n = Verb.AUTH.name().length();
    return line.regionMatches(true, 0, Verb.AUTH.name(), 0, n)
        && (line.length() == n || line.charAt(n) == ' ');
  }

  private static String redact(String line) {
    if (line.regionMatches(true, 0, "AUTH ", 0, 5)) {
      int sp = line.indexOf(' ', 5);
      return sp < 0 ? line : line.substring(0, sp) + " ****";
    }
    return line;
  }

  // ================================================================ commands

  /**
   * Answers a command: a line that did not parse gets its reply, every other command passes the
   * {@link #gate} and then the one switch over its verb.
   */
  private void dispatch(Command command) {
    Verb verb = command.kind();
    if (command instanceof Command.Invalid invalid) {
      write(invalid.reply(), verb);
      next();
      return;
    }
    Transaction t = tx;
    Reply refused = gate(verb, t);
    if (refused != null) {
      if (verb == Verb.BDAT) {
        readChunk((Command.Bdat) command, refused); // the refused chunk is read and dropped
      } else {
        write(refused, verb);
        next();
      }
      return;
    }
    // The gate has made sure that t is a transaction for RCPT, DATA and BDAT.
    switch (verb) {
      case HELO, EHLO -> hello((Command.Hello) command);
      case MAIL -> mailFrom((Command.MailFrom) command);
      case RCPT -> rcptTo((Command.RcptTo) command, t);
      case DATA -> data(t);
      case BDAT -> bdat((Command.Bdat) command, t);
      case RSET -> {
        resetTransaction();
        if (overrides.reset()) {
          SessionInfo snapshot = info;
          notifyHandler("reset", () -> handler.reset(snapshot));
        }
        write(Replies.OK, verb);
        next();
      }
      case NOOP -> {
        write(Replies.OK, verb);
        next();
      }
      case QUIT -> {
        if (overrides.quit()) {
          SessionInfo snapshot = info;
          notifyHandler("quit", () -> handler.quit(snapshot));
        }
        observer.command(verb.name(), Replies.BYE.code());
        closeWith(Replies.BYE);
      }
      case VRFY -> verify((Command.Vrfy) command);
      case EXPN -> {
        write(Replies.EXPN_NOT_IMPLEMENTED, verb);
        next();
      }
      case HELP -> {
        write(Replies.HELP, verb);
        next();
      }
      case STARTTLS -> startTls();
      case AUTH -> auth((Command.Auth) command);
      case LHLO, UNKNOWN, INVALID -> { // LMTP is not enabled
        write(Replies.COMMAND_UNRECOGNIZED, verb);
        next();
      }
    }
  }

  /**
   * The one precondition check every command passes before dispatch: the greeting first, TLS and
   * AUTH when required, one transaction at a time, the extensions that are on. Returns the reply
   * refusing the command, or null.
   */
  private @Nullable Reply gate(Verb verb, @Nullable Transaction t) {
    boolean helloed = info.hello() != null;
    boolean tls = info.tls() != null;
    return switch (verb) {
      case MAIL ->
          !helloed
              ? Replies.NEED_HELO
              : !tls && tlsSettings.required()
                  ? Replies.TLS_REQUIRED
                  : info.authenticatedUser() == null && authSettings.required()
                      ? Replies.AUTH_REQUIRED
                      : t != null ? Replies.NESTED_MAIL : null;
      case RCPT -> !helloed ? Replies.NEED_HELO : t == null ? Replies.NEED_MAIL : null;
      case DATA ->
          !helloed
              ? Replies.NEED_HELO
              : t == null
                  ? Replies.NEED_MAIL
                  : t.bdat
                      ? Replies.DATA_AFTER_BDAT
                      : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT : null;
      case BDAT ->
          !config.chunking()
              ? Replies.COMMAND_NOT_IMPLEMENTED
              : !helloed
                  ? Replies.NEED_HELO
                  : t == null
                      ? Replies.NEED_MAIL
                      : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT : null;
      case STARTTLS ->
          tlsSettings.mode() == TlsMode.NONE
              ? Replies.COMMAND_NOT_IMPLEMENTED
              : tls ? Replies.TLS_ALREADY_ACTIVE : null;
      case AUTH -> authGate(helloed, tls, t);
      default -> null;
    };
  }

  private @Nullable Reply authGate(boolean helloed, boolean tls, @Nullable Transaction t) {
    if (!authSettings.enabled()) {
      return Replies.COMMAND_NOT_IMPLEMENTED;
    }
    if (!helloed) {
      return Replies.NEED_HELO;
    }
    if (!tls && tlsSettings.required()) {
      return Replies.TLS_REQUIRED;
    }
    if (!tls && !authSettings.allowInsecure()) {
      return Replies.AUTH_ENCRYPTION_REQUIRED;
    }
    if (info.authenticatedUser() != null) {
      return Replies.ALREADY_AUTHENTICATED;
    }
    if (t != null) {
      return Replies.AUTH_IN_TRANSACTION;
    }
    if (server.authFailures().exhausted(ip)) {
      observer.authThrottled();
      return Replies.AUTH_ADDRESS_THROTTLED;
    }
    return null;
  }

  private void verify(Command.Vrfy vrfy) {
    SessionInfo snapshot = info;
    decide(
        overrides.verify(),
        "verify",
        h -> h.verify(snapshot, vrfy.argument()),
        d -> {
          write(d.replyOr(Replies.CANNOT_VRFY, Replies.RECIPIENT_REJECTED), Verb.VRFY);
          next();
        });
  }

  private void hello(Command.Hello hello) {
    resetTransaction();
    SessionInfo snapshot = info;
    decide(
        overrides.greeting(),
        "greeting",
        h -> h.greeting(snapshot, hello),
        d -> {
          if (d.accepted()) {
            info = info.withHello(hello);
            write(
                d.replyOr(
                    hello.extended() ? server.ehloReply(info.tls() != null) : server.heloReply(),
                    Replies.OK),
                hello.kind());
          } else {
            write(d.replyOr(Replies.OK, Replies.HELLO_REJECTED), hello.kind());
          }
          next();
        });
  }

  private void mailFrom(Command.MailFrom mail) {
    Reply refused = checkMailParameters(mail);
    if (refused != null) {
      write(refused, Verb.MAIL);
      next();
      return;
    }
    // RFC 4954 section 5: an unauthenticated client's AUTH= is not trusted.
    MailParameters parameters =
        mail.parameters().has("AUTH") && info.authenticatedUser() == null
            ? mail.parameters().with("AUTH", "<>")
            : mail.parameters();
    SessionInfo snapshot = info;
    decide(
        overrides.mailFrom(),
        "mailFrom",
        h -> h.mailFrom(snapshot, mail.from(), parameters),
        d -> {
          if (d.accepted()) {
            tx = new Transaction(Envelope.of(mail.from(), parameters));
          }
          write(d.replyOr(Replies.SENDER_OK, Replies.SENDER_REJECTED), Verb.MAIL);
          next();
        });
  }

  private @Nullable Reply checkMailParameters(Command.MailFrom mail) {
    MailParameters params = mail.parameters();
    Command.Hello hello = info.hello();
    if (!params.isEmpty() && hello != null && !hello.extended()) {
      return Replies.UNKNOWN_PARAMETER; // no ESMTP parameters after HELO
    }
    for (var e : params.values().entrySet()) {
      String keyword = e.getKey();
      String value = e.getValue();
      switch (keyword) {
        case "SIZE":
          if (params.size().isEmpty()) {
            return Replies.SYNTAX_ERROR;
          }
          break;
        case "BODY":
          if (!config.eightBitMime()
              || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
            return Replies.UNKNOWN_PARAMETER;
          }
          break;
        case "SMTPUTF8":
          if (!config.smtpUtf8() || !value.isEmpty()) {
            return Replies.UNKNOWN_PARAMETER;
          }
          break;
        case "AUTH":
          if (!authSettings.enabled()) {
            return Replies.UNKNOWN_PARAMETER;
          }
          if (value.isEmpty() || params.auth().isEmpty()) {
            return Replies.SYNTAX_ERROR;
          }
          break;
        default:
          return Replies.UNKNOWN_PARAMETER;
      }
    }
    if (mail.from().mailbox() != null
        && !mail.from().mailbox().isAscii()
        && !params.has("SMTPUTF8")) {
      return Replies.SMTPUTF8_REQUIRED;
    }
    if (params.size().orElse(0) > limits.maxMessageSize()) {
      return Replies.MESSAGE_TOO_BIG;
    }
    return null;
  }

  private void rcptTo(Command.RcptTo rcpt, Transaction t) {
    Reply refused = null;
    if (t.envelope.recipients().size() >= limits.maxRecipients()) {
      refused = Replies.TOO_MANY_RECIPIENTS;
    } else if (!rcpt.parameters().isEmpty()) {
      refused = Replies.UNKNOWN_PARAMETER;
    } else if (!rcpt.to().isAscii() && !t.envelope.smtpUtf8()) {
      refused = Replies.SMTPUTF8_REQUIRED;
    } else if (!serves(rcpt.to())) {
      refused = Replies.DOMAIN_NOT_SERVED;
    }
    if (refused != null) {
      write(refused, Verb.RCPT);
      next();
      return;
    }
    SessionInfo snapshot = info;
    Envelope envelope = t.envelope;
    decide(
        overrides.rcptTo(),
        "rcptTo",
        h -> h.rcptTo(snapshot, envelope, rcpt.to(), rcpt.parameters()),
        d -> {
          if (d.accepted() && tx == t) {
            t.envelope = t.envelope.withRecipient(new Recipient(rcpt.to(), rcpt.parameters()));
          }
          write(d.replyOr(Replies.RECIPIENT_OK, Replies.RECIPIENT_REJECTED), Verb.RCPT);
          next();
        });
  }

  /** Whether the engine accepts recipients of this mailbox's domain (see the builder). */
  private boolean serves(Mailbox to) {
    Set<String> domains = config.acceptedDomains();
    return domains.isEmpty() || to.domain().isEmpty() || domains.contains(to.domainLowerCase());
  }

  private void data(Transaction t) {
    SessionInfo snapshot = info;
    Envelope envelope = t.envelope;
    decide(
        overrides.data(),
        "data",
        h -> h.data(snapshot, envelope),
        d -> {
          if (tx != t) {
            next();
            return;
          }
          if (!d.accepted()) {
            write(d.replyOr(Replies.DATA_REJECTED, Replies.DATA_REJECTED), Verb.DATA);
            next();
            return;
          }
          t.body = newBody(t);
          // Only a 354 may open the content, whatever reply an accepting handler gave.
          Reply goAhead = d.reply();
          write(goAhead != null && goAhead.code() == 354 ? goAhead : Replies.START_MAIL_INPUT, Verb.DATA);
          decoder.startData(limits.maxMessageSize());
          armIdle();
          decoder.request();
        });
  }

  private void bdat(Command.Bdat bdat, Transaction t) {
    Reply refused;
    if (t.failure != null) {
      refused = t.failure;
    } else if (t.bdatOctets + bdat.size() > limits.maxMessageSize()) {
      t.failure = Replies.MESSAGE_TOO_BIG;
      if (t.body != null) {
        t.body.fail(new MessageAbortedException("message exceeds " + limits.maxMessageSize() + " octets"));
      }
      refused = Replies.MESSAGE_TOO_BIG;
    } else {
      refused = null;
    }
    if (refused != null) {
      readChunk(bdat, refused);
      return;
    }
    t.bdat = true;
    if (t.body != null) {
      readChunk(bdat, null);
      return;
    }
    SessionInfo snapshot = info;
    Envelope envelope = t.envelope;
    decide(
        overrides.data(),
        "data",
        h -> h.data(snapshot, envelope),
        d -> {
          if (tx != t) {
            readChunk(bdat, Replies.NEED_MAIL);
          } else if (!d.accepted()) {
            t.failure = d.replyOr(Replies.DATA_REJECTED, Replies.DATA_REJECTED);
            readChunk(bdat, t.failure);
          } else {
            t.body = newBody(t);
            readChunk(bdat, null);
          }
        });
  }

  /** Reads one chunk; a refused chunk is read and dropped, then answered with the refusal. */
  private void readChunk(Command.Bdat bdat, @Nullable Reply refusal) {
    chunk = bdat;
    chunkRefusal = refusal;
    decoder.startChunk(bdat.size(), refusal != null);
    armIdle();
    decoder.request();
  }

  private void onChunkEnd(long size) {
    Command.Bdat bdat = chunk;
    Reply refusal = chunkRefusal;
    chunk = null;
    chunkRefusal = null;
    Transaction t = tx;
    if (bdat == null) {
      return;
    }
    if (refusal != null || t == null || t.failure != null) {
      Reply reply = refusal != null ? refusal : t != null && t.failure != null ? t.failure : Replies.NEED_MAIL;
      if (bdat.last() && t != null) {
        endTransaction(t, MessageOutcome.FAILED);
      }
      write(reply, Verb.BDAT);
      next();
      return;
    }
    t.bdatOctets += size;
    t.size = t.bdatOctets;
    if (!bdat.last()) {
      write(Reply.of(250, "2.0.0", size + " octets received"), Verb.BDAT);
      next();
      return;
    }
    t.contentEnd = ContentStatus.COMPLETE;
    MessageBody body = t.body;
    if (body != null) {
      body.complete();
    }
    if (!t.handlerStarted) {
      startMessageHandler(t);
    }
    maybeFinishMessage(t);
  }

  // ================================================================ STARTTLS (RFC 3207)

  /**
   * Answers STARTTLS: the {@link SslHandler} goes first in the pipeline before the 220 is written
   * (its first write passes in plaintext), and whatever plaintext the client sent after the
   * command is dropped unread, so it can never be taken for a command (CVE-2011-0411).
   */
  private void startTls() {
    ChannelHandlerContext c = ctx();
    SslHandler ssl;
    try {
      ssl = server.newSslHandler(c.channel(), true);
    } catch (RuntimeException e) {
      log.warn("session {}: cannot start TLS: {}", info.id(), e.toString());
      observer.tlsHandshake(false);
      write(Replies.TLS_NOT_AVAILABLE, Verb.STARTTLS);
      next();
      return;
    }
    decoder.discardBuffered();
    resetTransaction();
    phase = Phase.TLS_HANDSHAKE;
    c.pipeline().addFirst("tls", ssl);
    write(Replies.READY_TO_START_TLS, Verb.STARTTLS);
    c.flush();
  }

  private void onHandshake(SslHandshakeCompletionEvent event) {
    if (phase != Phase.TLS_HANDSHAKE) {
      return;
    }
    phase = greetingWaits.contains(GreetingWait.TLS) ? Phase.GREETING : Phase.COMMANDS;
    if (!event.isSuccess()) {
      observer.tlsHandshake(false);
      if (debug) {
        transcript.debug("{} TLS handshake failed: {}", info.id(), String.valueOf(event.cause()));
      }
      phase = Phase.CLOSED;
      decoder.stop();
      ctx().close();
      return;
    }
    observer.tlsHandshake(true);
    SslHandler ssl = ctx().pipeline().get(SslHandler.class);
    TlsInfo tls = TlsInfo.of(ssl.engine().getSession());
    if (debug) {
      transcript.debug("{} TLS {} {}", info.id(), tls.protocol(), tls.cipherSuite());
    }
    // The client must start again: greeting, AUTH and envelope are forgotten.
    resetTransaction();
    info = info.withTls(tls).withHello(null).withAuthenticatedUser(null);
    SessionInfo snapshot = info;
    decide(
        overrides.tls(),
        "tls",
        h -> h.tls(snapshot),
        d -> {
          if (!d.accepted()) {
            closeWith(d.replyOr(Replies.TLS_REJECTED, Replies.TLS_REJECTED));
          } else if (greetingWaits.remove(GreetingWait.TLS)) {
            greet();
          } else {
            next();
          }
        });
  }

  // ================================================================ AUTH (RFC 4954)

  private void auth(Command.Auth command) {
    SaslMechanism mechanism = server.mechanism(command.mechanism());
    if (mechanism == null) {
      write(Replies.AUTH_MECHANISM_UNKNOWN, Verb.AUTH);
      next();
      return;
    }
    byte[] initial = null;
    String ir = command.initialResponse();
    if (ir != null) {
      initial = base64(ir.equals("=") ? "" : ir);
      if (initial == null) {
        observer.auth(mechanism.name(), false);
        write(Replies.AUTH_BAD_BASE64, Verb.AUTH);
        next();
        return;
      }
    }
    var authenticator = authSettings.authenticator();
    if (authenticator == null) {
      throw new IllegalStateException("gate lets AUTH through only with an authenticator");
    }
    AuthExchange a =
        new AuthExchange(mechanism.name(), mechanism.start(info, authenticator, config.domain()));
    authExchange = a;
    decoder.maxLineLength(MAX_AUTH_LINE);
    authStep(a, initial);
  }

  private void onAuthResponse(String line) {
    AuthExchange a = authExchange;
    if (a == null) {
      return;
    }
    if (line.equals("*")) {
      endAuth();
      observer.auth(a.mechanism(), false);
      write(Replies.AUTH_CANCELLED, Verb.AUTH);
      next();
      return;
    }
    byte[] response = base64(line);
    if (response == null) {
      endAuth();
      observer.auth(a.mechanism(), false);
      write(Replies.AUTH_BAD_BASE64, Verb.AUTH);
      next();
      return;
    }
    authStep(a, response);
  }

  /** Runs one step of the exchange on the handler executor, like every application call. */
  private void authStep(AuthExchange a, byte @Nullable [] response) {
    pendingDecisions++;
    call(
        "auth",
        () -> a.exchange().respond(response),
        (SaslStep step, @Nullable Throwable error) -> {
          pendingDecisions--;
          if (authExchange != a) {
            return;
          }
          if (error != null || step == null) {
            endAuth();
            observer.auth(a.mechanism(), false);
            write(authErrorReply(error), Verb.AUTH);
            next();
          } else if (step instanceof SaslStep.Challenge challenge) {
            write(Reply.of(334, Base64.getEncoder().encodeToString(challenge.data())), null);
            next();
          } else if (step instanceof SaslStep.Success success) {
            authenticated(a, success.identity());
          } else if (step instanceof SaslStep.Failure failure) {
            authFailed(a, failure.reply());
          }
        });
  }

  private void authenticated(AuthExchange a, String identity) {
    SessionInfo snapshot = info;
    decide(
        overrides.auth(),
        "auth",
        h -> h.auth(snapshot, a.mechanism(), identity),
        d -> {
          if (authExchange != a) {
            return;
          }
          if (!d.accepted()) {
            authFailed(a, d.replyOr(Replies.AUTH_FAILED, Replies.AUTH_FAILED));
            return;
          }
          endAuth();
          info = info.withAuthenticatedUser(identity);
          observer.auth(a.mechanism(), true);
          if (debug) {
            transcript.debug("{} authenticated with {}", info.id(), a.mechanism());
          }
          write(d.replyOr(Replies.AUTH_SUCCEEDED, Replies.AUTH_FAILED), Verb.AUTH);
          next();
        });
  }

  /**
   * Answers a failed exchange. Wrong credentials count: each such answer waits longer than the
   * last (scheduled on the event loop, never a sleep), and the last allowed failure closes the
   * session with 421.
   */
  private void authFailed(AuthExchange a, Reply reply) {
    endAuth();
    observer.auth(a.mechanism(), false);
    boolean counts = reply.isPermanent() && reply.code() != 501;
    if (!counts) {
      write(reply, Verb.AUTH);
      next();
      return;
    }
    authFailures++;
    server.authFailures().failed(ip);
    boolean last = authFailures >= authSettings.maxFailures();
    long delay =
        Math.min(
            MAX_AUTH_DELAY_MILLIS,
            authSettings.failureDelay().toMillis() << Math.min(authFailures - 1, 16));
    Runnable answer =
        () -> {
          write(reply, Verb.AUTH);
          if (last) {
            closeWith(Replies.TOO_MANY_AUTH_FAILURES);
          } else {
            next();
          }
        };
    if (delay <= 0) {
      answer.run();
      return;
    }
    pendingDecisions++;
    ctx()
        .executor()
        .schedule(
            () -> {
              pendingDecisions--;
              if (phase != Phase.CLOSED) {
                answer.run();
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
  }

  private void endAuth() {
    authExchange = null;
    decoder.maxLineLength(limits.maxLineLength());
  }

  private Reply authErrorReply(@Nullable Throwable error) {
    return failureReply("authenticator", error, Replies.AUTH_TEMPORARY_FAILURE);
  }

  /** Decodes a client response; null if it is not base64. */
  private static byte @Nullable [] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ================================================================ message content

  private MessageBody newBody(Transaction t) {
    ChannelHandlerContext c = ctx();
    MessageBody[] holder = new MessageBody[1];
    MessageBody body =
        new MessageBody(
            limits.bodyBufferSize(),
            () ->
                c.executor()
                    .execute(
                        () -> {
                          SmtpServerDecoder.Mode mode = decoder.mode();
                          if (tx == t
                              && t.body == holder[0]
                              && phase != Phase.CLOSED
                              && (mode == SmtpServerDecoder.Mode.DATA
                                  || mode == SmtpServerDecoder.Mode.CHUNK)) {
                            armIdle();
                            decoder.request();
                          }
                        }));
    holder[0] = body;
    return body;
  }

  private void onContent(ByteBuf content) {
    Transaction t = tx;
    MessageBody body = t == null ? null : t.body;
    if (t == null || body == null) {
      content.release();
      return;
    }
    armIdle();
    if (body.offer(content)) {
      if (!t.handlerStarted) {
        startMessageHandler(t);
      }
      if (!body.isDiscarding()) {
        decoder.suspend();
      }
    }
  }

  private void onContentProblem(ContentStatus status) {
    Transaction t = tx;
    if (t != null && t.body != null) {
      t.body.fail(
          new MessageAbortedException(
              status == ContentStatus.TOO_LARGE
                  ? "message exceeds " + limits.maxMessageSize() + " octets"
                  : "bare CR or LF in message"));
    }
  }

  private void onContentEnd(ContentStatus status, long size) {
    Transaction t = tx;
    if (t == null) {
      next();
      return;
    }
    t.contentEnd = status;
    t.size = size;
    MessageBody body = t.body;
    if (status == ContentStatus.COMPLETE) {
      if (body != null) {
        body.complete();
      }
      if (!t.handlerStarted) {
        startMessageHandler(t);
      }
    }
    maybeFinishMessage(t);
  }

  private void startMessageHandler(Transaction t) {
    MessageBody body = t.body;
    if (body == null) {
      return;
    }
    t.handlerStarted = true;
    SessionInfo snapshot = info;
    Envelope envelope = t.envelope;
    if (!overrides.message()) {
      t.decision =
          decisionOf(HandlerOverrides.DEFAULTS.message(snapshot, envelope, body), "message");
      t.handlerDone = true;
      body.close();
      return;
    }
    call(
        "message",
        () -> handler.message(snapshot, envelope, body),
        (Decision d, @Nullable Throwable error) -> {
          Decision decision = error != null || d == null ? failureDecision("message", error) : d;
          body.close();
          if (tx != t) {
            return;
          }
          t.decision = decision;
          t.handlerDone = true;
          if (t.bdat && t.contentEnd == null && !decision.accepted() && t.failure == null) {
            t.failure = decision.replyOr(Replies.MESSAGE_REJECTED, Replies.MESSAGE_REJECTED);
          }
          maybeFinishMessage(t);
        });
  }

  private void maybeFinishMessage(Transaction t) {
    ContentStatus end = t.contentEnd;
    if (tx != t || end == null) {
      return;
    }
    Reply reply;
    MessageOutcome outcome;
    if (end == ContentStatus.TOO_LARGE) {
      reply = Replies.MESSAGE_TOO_BIG;
      outcome = MessageOutcome.FAILED;
    } else if (end == ContentStatus.BARE_LINE_ENDING) {
      reply = Replies.BARE_LINE_ENDING_IN_DATA;
      outcome = MessageOutcome.FAILED;
    } else if (t.handlerStarted && !t.handlerDone) {
      return; // wait for the handler
    } else if (t.failure != null) {
      reply = t.failure;
      outcome = MessageOutcome.FAILED;
    } else {
      Decision d = t.decision == null ? Decision.reject(Replies.NO_MESSAGE_HANDLER) : t.decision;
      reply = d.replyOr(Replies.MESSAGE_ACCEPTED, Replies.MESSAGE_REJECTED);
      outcome =
          d.accepted()
              ? MessageOutcome.ACCEPTED
              : reply == Replies.HANDLER_FAILURE || reply == Replies.SERVER_BUSY
                  ? MessageOutcome.FAILED
                  : MessageOutcome.REJECTED;
    }
    endTransaction(t, outcome);
    write(reply, t.bdat ? Verb.BDAT : Verb.DATA);
    next();
  }

  private void endTransaction(Transaction t, MessageOutcome outcome) {
    if (tx == t) {
      tx = null;
    }
    MessageBody body = t.body;
    if (body != null) {
      body.close();
      observer.message(outcome, t.size, sinceStart(t));
    }
  }

  private static Duration sinceStart(Transaction t) {
    return Duration.ofNanos(System.nanoTime() - t.startNanos);
  }

  private void resetTransaction() {
    Transaction t = tx;
    if (t != null) {
      tx = null;
      if (t.body != null) {
        t.body.fail(new MessageAbortedException("transaction reset"));
      }
    }
  }

  // ================================================================ handler calls

  /**
   * Asks for a decision. An event the application's handler does not handle is answered at once by
   * the interface's default; otherwise the handler is called on the executor and reading waits for
   * the answer.
   */
  private void decide(
      boolean handled,
      String event,
      Function<SmtpHandler, CompletionStage<Decision>> invocation,
      Consumer<Decision> then) {
    if (!handled) {
      then.accept(decisionOf(invocation.apply(HandlerOverrides.DEFAULTS), event));
      return;
    }
    pendingDecisions++;
    call(
        event,
        () -> invocation.apply(handler),
        (Decision d, @Nullable Throwable error) -> {
          pendingDecisions--;
          then.accept(error != null || d == null ? failureDecision(event, error) : d);
        });
  }

  private Decision decisionOf(CompletionStage<Decision> stage, String event) {
    try {
      Decision d = stage.toCompletableFuture().getNow(null);
      return d == null ? failureDecision(event, null) : d;
    } catch (RuntimeException e) {
      return failureDecision(event, e.getCause() != null ? e.getCause() : e);
    }
  }

  /**
   * Runs {@code invocation} on the handler executor; {@code then} runs on the event loop exactly
   * once with the result or the error (a timeout after {@link Limits#handlerTimeout()}), unless
   * the connection closed first.
   */
  private <T> void call(
      String event, Supplier<CompletionStage<T>> invocation, BiConsumer<@Nullable T, @Nullable Throwable> then) {
    ChannelHandlerContext c = ctx();
    boolean[] done = new boolean[1];
    @SuppressWarnings("unchecked")
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    BiConsumer<@Nullable T, @Nullable Throwable> once =
        (r, e) -> {
          if (done[0]) {
            return;
          }
          done[0] = true;
          cancel(timer[0]);
          if (phase != Phase.CLOSED) {
            then.accept(r, e);
          }
        };
    c.flush();
    timer[0] =
        c.executor()
            .schedule(
                () ->
                    once.accept(
                        null,
                        new TimeoutException(
                            "no answer within " + limits.handlerTimeout().toMillis() + " ms")),
                limits.handlerTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    try {
      server
          .executor()
          .execute(
              () -> {
                CompletionStage<T> stage;
                try {
                  stage = invocation.get();
                } catch (Throwable e) {
                  c.executor().execute(() -> once.accept(null, e));
                  return;
                }
                if (stage == null) {
                  c.executor()
                      .execute(
                          () -> once.accept(null, new NullPointerException(event + " returned null")));
                  return;
                }
                stage.whenComplete((r, e) -> c.executor().execute(() -> once.accept(r, e)));
              });
    } catch (RejectedExecutionException e) {
      once.accept(null, e);
    }
  }

  private void notifyHandler(String event, Runnable notification) {
    try {
      server
          .executor()
          .execute(
              () -> {
                try {
                  notification.run();
                } catch (RuntimeException e) {
                  warn("SMTP handler {} failed in session {}", event, info.id(), e);
                }
              });
    } catch (RejectedExecutionException e) {
      log.debug("SMTP handler {} not notified in session {}: executor busy", event, info.id());
    }
  }

  private Decision failureDecision(String event, @Nullable Throwable error) {
    return Decision.reject(failureReply(event, error));
  }

  private Reply failureReply(String event, @Nullable Throwable error) {
    return failureReply(event, error, Replies.HANDLER_FAILURE);
  }

  /**
   * The reply for a handler or authenticator that failed, {@code fallback} unless it said why.
   * What is the server's problem is logged as a warning; a handler that stopped because the client
   * spoiled its message (too large, a bare line ending, gone) is the client's fault, worth one
   * DEBUG line without a stack trace.
   */
  private Reply failureReply(String event, @Nullable Throwable error, Reply fallback) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof SmtpRejectException reject) {
      return reject.reply();
    }
    String who = event.equals("authenticator") ? "SMTP authenticator" : "SMTP handler " + event;
    if (cause instanceof RejectedExecutionException) {
      warn("{} not run in session {}: handler executor saturated", who, info.id());
      return Replies.SERVER_BUSY;
    }
    if (MessageAbortedException.isCause(cause)) {
      log.debug("{} stopped in session {}: {}", who, info.id(), String.valueOf(cause.getMessage()));
      return fallback;
    }
    if (cause == null) {
      warn("{} returned no decision in session {}", who, info.id());
    } else {
      warn("{} failed in session {}", who, info.id(), cause);
    }
    return fallback;
  }

  /** A warning, unless too many came in a short while (they are counted, then reported). */
  private void warn(String format, Object... arguments) {
    long suppressed = server.warnings().acquire();
    if (suppressed >= 0) {
      log.warn(format + WarningLimiter.suppressedNote(suppressed), arguments);
    }
  }
}
