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
import io.smtpprotocol.codec.SmtpInput;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.CommandParser;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.server.SmtpServerObserver.ConnectionOutcome;
import io.smtpprotocol.tls.TlsInfo;
import io.smtpprotocol.tls.TlsMode;
import io.smtpprotocol.tls.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one SMTP connection: its life and {@link Phase}, the one precondition
 * {@link #gate} and the one {@link #dispatch} over the {@link Verb}. The work behind the commands
 * is done by one collaborator per concern: {@link EnvelopeStep} (MAIL, RCPT), {@link
 * MessageIntake} (the transaction, DATA and BDAT), {@link AuthStep}, {@link StartTlsStep}, {@link
 * HandlerCalls} (calls into the application) and {@link ReplyWriter} (all output).
 *
 * <p>Runs on its channel's event loop only; handler methods run on the server's executor and their
 * answers come back to the event loop.
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  /** How long a closing connection's last reply may take to be written before it is dropped. */
  private static final long CLOSE_GRACE_MILLIS = 5_000;

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

  private final SessionHost host;
  private final Limits limits;
  private final HandlerOverrides overrides;
  private final SmtpServerObserver observer;
  private final TlsSettings tlsSettings;
  private final AuthSettings authSettings;
  private final SessionInput input;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final MessageIntake intake;
  private final EnvelopeStep envelope;
  private final AuthStep auth;
  private final StartTlsStep startTls;

  private @Nullable ChannelHandlerContext ctx;
  private Phase phase = Phase.GREETING;
  /** What the greeting still waits for; empty once it has been sent. */
  private final EnumSet<GreetingWait> greetingWaits = EnumSet.noneOf(GreetingWait.class);
  /**
   * The server shuts down: the transaction under way may finish, then the session closes. Not a
   * phase: it is asked for from outside, whatever the phase is.
   */
  private boolean draining;
  private SessionInfo info;
  private @Nullable InetAddress ip;
  private boolean counted;
  private boolean observedOpen;
  private final long idleNanos;
  /** When the client must have sent what the session waits for (System.nanoTime()). */
  private long inputDeadline;
  private @Nullable ScheduledFuture<?> idleTimer;
  private @Nullable ScheduledFuture<?> sessionTimer;
  private @Nullable ScheduledFuture<?> greetingTimer;

  SmtpSession(SessionHost host, SessionInput input) {
    this.host = host;
    ServerConfig config = host.config();
    this.limits = config.limits();
    this.overrides = host.overrides();
    this.observer = config.observer();
    this.tlsSettings = config.tls();
    this.authSettings = config.auth();
    this.idleNanos = limits.idleTimeout().toNanos();
    this.input = input;
    this.out = new ReplyWriter(this, observer);
    this.calls = new HandlerCalls(this, host, out);
    this.intake = new MessageIntake(this, host, input, out, calls);
    this.envelope = new EnvelopeStep(this, host, out, calls, intake);
    this.auth = new AuthStep(this, host, input, out, calls);
    this.startTls = new StartTlsStep(this, host, input, out, intake);
    InetSocketAddress none = new InetSocketAddress(0);
    this.info = new SessionInfo("-", none, none, Instant.now(), null, null, null);
  }

  ChannelHandlerContext ctx() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("session not active");
    }
    return c;
  }

  SessionInfo info() {
    return info;
  }

  /** The client's address, or null (a Unix socket). */
  @Nullable InetAddress address() {
    return ip;
  }

  boolean closed() {
    return phase == Phase.CLOSED;
  }

  /** The phase, for tests in this package. */
  Phase phase() {
    return phase;
  }

  void authenticated(String identity) {
    info = info.withAuthenticatedUser(identity);
  }

  // ---------------------------------------------------------------- connection life

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SocketAddress remote = ctx.channel().remoteAddress();
    SocketAddress local = ctx.channel().localAddress();
    InetSocketAddress none = new InetSocketAddress(0);
    info =
        new SessionInfo(
            host.nextSessionId(),
            remote == null ? none : remote,
            local == null ? none : local,
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
    if (!host.acceptsSessions()) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
      return;
    }
    if (!host.acquire(ip)) {
      observer.connectionOpened(ConnectionOutcome.LIMITED);
      closeWith(Replies.TOO_MANY_CONNECTIONS);
      return;
    }
    counted = true;
    armIdle();
    sessionTimer = schedule(() -> closeWith(Replies.SESSION_TIMEOUT), limits.sessionTimeout().toMillis());
    greetingWaits.add(GreetingWait.CONNECT);
    if (!limits.greetingDelay().isZero()) {
      greetingWaits.add(GreetingWait.DELAY);
      greetingTimer = schedule(() -> greetingReady(GreetingWait.DELAY), limits.greetingDelay().toMillis());
    }
    out.event("{} connected from {}", info.remoteAddress());
    calls.decide(
        overrides.connect(),
        "connect",
        h -> h.connect(info),
        d -> {
          if (d.accepted()) {
            greetingReady(GreetingWait.CONNECT);
          } else {
            observer.connectionOpened(ConnectionOutcome.REJECTED);
            closeWith(d.replyOr(Replies.CONNECTION_REJECTED, Replies.CONNECTION_REJECTED));
          }
        });
  }

  private ScheduledFuture<?> schedule(Runnable task, long millis) {
    return ctx().executor().schedule(task, millis, TimeUnit.MILLISECONDS);
  }

  /** One thing the greeting waited for is done; the greeting goes out when nothing is left. */
  private void greetingReady(GreetingWait done) {
    greetingWaits.remove(done);
    if (phase != Phase.GREETING || !greetingWaits.isEmpty()) {
      return;
    }
    phase = Phase.COMMANDS;
    observedOpen = true;
    observer.connectionOpened(ConnectionOutcome.ACCEPTED);
    out.write(host.greetingReply(), null);
    input.greetingSent();
    next();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    phase = Phase.CLOSED;
    input.stop();
    cancel(sessionTimer);
    cancel(greetingTimer);
    cancel(idleTimer);
    intake.connectionLost();
    if (counted) {
      counted = false;
      host.release(ip);
    }
    if (observedOpen) {
      observer.connectionClosed();
    }
    if (overrides.disconnect()) {
      calls.notifyHandler("disconnect", () -> host.config().handler().disconnect(info));
    }
    out.event("{} disconnected");
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable problem =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (problem instanceof IOException
        || cause instanceof DecoderException && phase == Phase.TLS_HANDSHAKE) {
      log.debug("session {}: {}", info.id(), cause.toString());
    } else {
      calls.warn("session {} failed", info.id(), cause);
    }
    phase = Phase.CLOSED;
    input.stop();
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
  void armIdle() {
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
    } else if (input.waiting()
        || phase == Phase.WRITE_BLOCKED
        || !greetingWaits.isEmpty() && !calls.pending()) {
      // the session waits for the client: its input, or its reading of our replies
      closeWith(Replies.IDLE_TIMEOUT);
    }
    // else the session waits for the application, whose time is not the client's: the next wait
    // for the client arms the timer again
  }

  /** Called by the server when it shuts down gracefully. */
  void drain() {
    draining = true;
    if (intake.transaction() == null && !calls.pending()) {
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

  void closeWith(Reply reply) {
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
    input.stop();
    cancel(idleTimer);
    if (handshaking) {
      // No reply can be sent in the middle of a handshake; its end is ours, not a TLS failure.
      c.close();
      return;
    }
    boolean stuck = now || !c.channel().isWritable();
    ChannelFuture written = out.writeLast(reply);
    if (stuck || written.isDone()) {
      c.close();
      return;
    }
    written.addListener(ChannelFutureListener.CLOSE);
    ScheduledFuture<?> grace = schedule(c::close, CLOSE_GRACE_MILLIS);
    c.channel().closeFuture().addListener(f -> grace.cancel(false));
  }

  static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  // ---------------------------------------------------------------- input

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf content) {
      intake.onContent(content);
    } else if (msg instanceof SmtpInput input) {
      onInput(input);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private void onInput(SmtpInput in) {
    if (in instanceof SmtpInput.CommandLine line) {
      onLine(line.text());
    } else if (in instanceof SmtpInput.ContentProblem problem) {
      intake.onContentProblem(problem.status());
    } else if (in instanceof SmtpInput.ContentEnd end) {
      intake.onContentEnd(end.status(), end.size());
    } else if (in instanceof SmtpInput.ChunkEnd end) {
      intake.onChunkEnd(end.size());
    } else if (in instanceof SmtpInput.BadCommandLine bad) {
      out.badLine();
      out.write(bad.reply(), auth.onBadLine() ? Verb.AUTH : Verb.INVALID);
      next();
    } else if (in instanceof SmtpInput.EarlyInput) {
      closeWith(Replies.EARLY_TALKER);
    }
  }

  /** Reads on: the next command, or 421 when the server drains or the client erred too often. */
  void next() {
    if (phase == Phase.CLOSED) {
      return;
    }
    if (out.badCommands() >= limits.maxBadCommands()) {
      closeWith(Replies.TOO_MANY_ERRORS);
      return;
    }
    if (draining && intake.transaction() == null) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
      return;
    }
    // Idle time counts from here: time spent waiting for a handler is not the client's.
    armIdle();
    // Replies back-pressure the commands: while the client leaves our replies unread beyond the
    // write buffer's bound, no further command is read (nor answered).
    ChannelHandlerContext c = ctx();
    if (!c.channel().isWritable()) {
      out.flush();
      if (!c.channel().isWritable()) {
        phase = Phase.WRITE_BLOCKED;
        return;
      }
    }
    input.readCommand();
  }

  private void onLine(String text) {
    if (auth.active()) {
      out.secretLine();
      auth.onResponse(text);
      return;
    }
    out.commandLine(text);
    Command command = CommandParser.parse(text);
    boolean hooked =
        overrides.command()
            && !(authSettings.enabled() && command.kind() == Verb.AUTH && isAuthLine(text))
            && !(command instanceof Command.Invalid i && i.reply() == Replies.CONTROL_CHARACTER);
    if (!hooked) {
      // AUTH lines carry credentials and control characters are never handed to the application
      dispatch(command);
      return;
    }
    calls.command(
        info,
        text,
        reply -> {
          if (reply == null) {
            dispatch(command);
          } else {
            out.write(reply, command.kind());
            next();
          }
        });
  }

  /** Whether the line is an AUTH command, which the command hook never sees (credentials). */
  private static boolean isAuthLine(String line) {
    int n = Verb.AUTH.name().length();
    return line.regionMatches(true, 0, Verb.AUTH.name(), 0, n)
        && (line.length() == n || line.charAt(n) == ' ');
  }

  // ---------------------------------------------------------------- commands

  /**
   * Answers a command: a line that did not parse gets its reply, every other command passes the
   * {@link #gate} and then the one switch over its verb.
   */
  private void dispatch(Command command) {
    Verb verb = command.kind();
    if (command instanceof Command.Invalid invalid) {
      out.write(invalid.reply(), verb);
      next();
      return;
    }
    Transaction t = intake.transaction();
    Reply refused = gate(verb, t);
    if (refused != null) {
      if (verb == Verb.BDAT) {
        intake.readChunk((Command.Bdat) command, refused); // the chunk is read and dropped
      } else {
        out.write(refused, verb);
        next();
      }
      return;
    }
    // The gate has made sure that t is a transaction for RCPT, DATA and BDAT.
    switch (verb) {
      case HELO, EHLO -> hello((Command.Hello) command);
      case MAIL -> envelope.mailFrom((Command.MailFrom) command);
      case RCPT -> envelope.rcptTo((Command.RcptTo) command, t);
      case DATA -> intake.data(t);
      case BDAT -> intake.bdat((Command.Bdat) command, t);
      case RSET -> {
        intake.reset();
        if (overrides.reset()) {
          SessionInfo snapshot = info;
          calls.notifyHandler("reset", () -> host.config().handler().reset(snapshot));
        }
        answer(Replies.OK, verb);
      }
      case NOOP -> answer(Replies.OK, verb);
      case QUIT -> {
        if (overrides.quit()) {
          SessionInfo snapshot = info;
          calls.notifyHandler("quit", () -> host.config().handler().quit(snapshot));
        }
        observer.command(verb.name(), Replies.BYE.code());
        closeWith(Replies.BYE);
      }
      case VRFY -> verify((Command.Vrfy) command);
      case EXPN -> answer(Replies.EXPN_NOT_IMPLEMENTED, verb);
      case HELP -> answer(Replies.HELP, verb);
      case STARTTLS -> startTls();
      case AUTH -> auth.start((Command.Auth) command);
      case LHLO, UNKNOWN, INVALID -> answer(Replies.COMMAND_UNRECOGNIZED, verb); // no LMTP
    }
  }

  private void answer(Reply reply, Verb verb) {
    out.write(reply, verb);
    next();
  }

  /**
   * The one precondition check every command passes before dispatch: the greeting first, TLS and
   * AUTH when required, one transaction at a time, the extensions that are on. Returns the reply
   * refusing the command, or null.
   */
  private @Nullable Reply gate(Verb verb, @Nullable Transaction t) {
    boolean helloed = info.hello() != null;
    boolean tls = info.tls() != null;
    boolean tlsMissing = !tls && tlsSettings.required();
    boolean authenticated = info.authenticatedUser() != null;
    return switch (verb) {
      case MAIL -> !helloed ? Replies.NEED_HELO
          : tlsMissing ? Replies.TLS_REQUIRED
          : !authenticated && authSettings.required() ? Replies.AUTH_REQUIRED
          : t != null ? Replies.NESTED_MAIL
          : null;
      case RCPT -> !helloed ? Replies.NEED_HELO : t == null ? Replies.NEED_MAIL : null;
      case DATA -> !helloed ? Replies.NEED_HELO
          : t == null ? Replies.NEED_MAIL
          : t.bdat ? Replies.DATA_AFTER_BDAT
          : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT
          : null;
      case BDAT -> !host.config().chunking() ? Replies.COMMAND_NOT_IMPLEMENTED
          : !helloed ? Replies.NEED_HELO
          : t == null ? Replies.NEED_MAIL
          : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT
          : null;
      case STARTTLS -> tlsSettings.mode() == TlsMode.NONE ? Replies.COMMAND_NOT_IMPLEMENTED
          : tls ? Replies.TLS_ALREADY_ACTIVE
          : null;
      case AUTH -> !authSettings.enabled() ? Replies.COMMAND_NOT_IMPLEMENTED
          : !helloed ? Replies.NEED_HELO
          : tlsMissing ? Replies.TLS_REQUIRED
          : !tls && !authSettings.allowInsecure() ? Replies.AUTH_ENCRYPTION_REQUIRED
          : authenticated ? Replies.ALREADY_AUTHENTICATED
          : t != null ? Replies.AUTH_IN_TRANSACTION
          : auth.exhausted(ip) ? Replies.AUTH_ADDRESS_THROTTLED
          : null;
      default -> null;
    };
  }

  private void hello(Command.Hello hello) {
    intake.reset();
    SessionInfo snapshot = info;
    calls.decide(
        overrides.greeting(),
        "greeting",
        h -> h.greeting(snapshot, hello),
        d -> {
          if (d.accepted()) {
            info = info.withHello(hello);
            Reply greeting =
                hello.extended() ? host.ehloReply(info.tls() != null) : host.heloReply();
            out.write(d.replyOr(greeting, Replies.OK), hello.kind());
          } else {
            out.write(d.replyOr(Replies.OK, Replies.HELLO_REJECTED), hello.kind());
          }
          next();
        });
  }

  private void verify(Command.Vrfy vrfy) {
    SessionInfo snapshot = info;
    calls.decide(
        overrides.verify(),
        "verify",
        h -> h.verify(snapshot, vrfy.argument()),
        d -> answer(d.replyOr(Replies.CANNOT_VRFY, Replies.RECIPIENT_REJECTED), Verb.VRFY));
  }

  // ---------------------------------------------------------------- TLS

  private void startTls() {
    SslHandler ssl = startTls.newHandler();
    if (ssl == null) {
      next();
      return;
    }
    phase = Phase.TLS_HANDSHAKE;
    startTls.begin(ssl);
  }

  private void onHandshake(SslHandshakeCompletionEvent event) {
    if (phase != Phase.TLS_HANDSHAKE) {
      return;
    }
    phase = greetingWaits.contains(GreetingWait.TLS) ? Phase.GREETING : Phase.COMMANDS;
    TlsInfo tls = startTls.handshakeDone(event);
    if (tls == null) {
      phase = Phase.CLOSED;
      input.stop();
      ctx().close();
      return;
    }
    info = info.withTls(tls).withHello(null).withAuthenticatedUser(null);
    SessionInfo snapshot = info;
    calls.decide(
        overrides.tls(),
        "tls",
        h -> h.tls(snapshot),
        d -> {
          if (!d.accepted()) {
            closeWith(d.replyOr(Replies.TLS_REJECTED, Replies.TLS_REJECTED));
          } else if (greetingWaits.contains(GreetingWait.TLS)) {
            greetingReady(GreetingWait.TLS);
          } else {
            next();
          }
        });
  }
}
