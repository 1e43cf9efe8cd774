package io.smtpprotocol.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.CommandParser;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.server.Phase.GreetingWait;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.EnumSet;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of one SMTP connection: its life and {@link Phase}, one precondition gate
 * ({@link CommandGate}) that every command passes, and one dispatch over the {@link Verb}. The work
 * behind the commands is done by one collaborator per concern: {@link HelloStep}, {@link
 * EnvelopeStep} (MAIL, RCPT, VRFY), {@link MessageIntake} (the transaction, DATA and BDAT), {@link
 * AuthStep}, {@link StartTlsStep}, {@link XclientStep}, {@link HandlerCalls} (calls into the
 * application), {@link ReplyWriter} (all output), {@link Admission} (connection limits) and {@link
 * SessionTimers}.
 *
 * <p>Runs on its channel's event loop only; handler methods run on the server's executor and their
 * answers come back to the event loop.
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

  private final SessionHost host;
  private final Limits limits;
  private final SessionInput input;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final MessageIntake intake;
  private final EnvelopeStep envelope;
  private final AuthStep auth;
  private final StartTlsStep startTls;
  private final HelloStep hello;
  private final XclientStep xclient;
  private final CommandGate gate;
  private final Admission admission;
  private final SessionTimers timers;

  /** Asked by the gate, last, for AUTH: whether the client's address used up its failures. */
  private final BooleanSupplier authThrottled;

  private @Nullable ChannelHandlerContext ctx;
  private Phase phase = Phase.GREETING;

  /** What the greeting still waits for; empty once it has been sent. */
  private final EnumSet<GreetingWait> greetingWaits = EnumSet.noneOf(GreetingWait.class);

  /** The server shuts down (asked from outside, in any phase): the transaction may finish. */
  private boolean draining;

  private SessionInfo info;

  SmtpSession(SessionHost host, SessionInput input) {
    this.host = host;
    ServerConfig config = host.config();
    this.limits = config.limits();
    this.timers = new SessionTimers(this, limits);
    this.admission = new Admission(host);
    this.input = input;
    this.out = new ReplyWriter(this, host.observer());
    this.calls = new HandlerCalls(this, host, out);
    this.intake = new MessageIntake(this, host, input, out, calls);
    this.envelope = new EnvelopeStep(this, host, out, calls, intake);
    this.auth = new AuthStep(this, host, input, out, calls, admission);
    this.startTls = new StartTlsStep(this, host, input, out, intake, calls);
    this.xclient = new XclientStep(this, host, out, calls, intake);
    this.hello = new HelloStep(this, host, out, calls, intake, xclient);
    this.gate = new CommandGate(config, host.xclientClients());
    this.authThrottled = auth::exhausted;
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

  boolean closed() {
    return phase == Phase.CLOSED;
  }

  /** The phase, for tests in this package. */
  Phase phase() {
    return phase;
  }

  /** What the session now knows of its client: after a greeting, TLS, AUTH or XCLIENT. */
  SessionInfo info(SessionInfo changed) {
    return info = changed;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    info = host.newSessionInfo(ctx.channel());
    if (host.config().tls().mode() == TlsMode.IMPLICIT) {
      // the handshake has begun; a refused connection is closed without a reply
      phase = Phase.TLS_HANDSHAKE;
      greetingWaits.add(GreetingWait.TLS);
    }
    Reply refused = admission.admit(info.remoteAddress());
    if (refused != null) {
      closeWith(refused);
      return;
    }
    greetingWaits.add(GreetingWait.CONNECT);
    Runnable delayOver = () -> greetingReady(GreetingWait.DELAY);
    if (timers.start(ctx.executor(), () -> closeWith(Replies.SESSION_TIMEOUT), delayOver)) {
      greetingWaits.add(GreetingWait.DELAY);
    }
    out.event("{} connected from {}", info.remoteAddress());
    calls.decide(
        Event.CONNECT,
        h -> h.connect(info),
        d -> {
          if (d.accepted()) {
            greetingReady(GreetingWait.CONNECT);
          } else {
            admission.rejected();
            closeWith(d.replyOr(Replies.CONNECTION_REJECTED, Replies.CONNECTION_REJECTED));
          }
        });
  }

  /** One thing the greeting waited for is done; the greeting goes out when nothing is left. */
  private void greetingReady(GreetingWait done) {
    greetingWaits.remove(done);
    if (phase != Phase.GREETING || !greetingWaits.isEmpty()) {
      return;
    }
    phase = Phase.COMMANDS;
    admission.opened();
    out.write(host.greetingReply(), null);
    input.greetingSent();
    next();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    phase = Phase.CLOSED;
    input.stop();
    timers.cancelAll();
    intake.connectionLost();
    admission.closed();
    calls.notifyDisconnect(info);
    out.event("{} disconnected");
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    calls.sessionFailed(cause, phase == Phase.TLS_HANDSHAKE);
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

  void armIdle() {
    timers.armIdle();
  }

  /** The idle deadline passed: closes if the session waited for the client. */
  void idle() {
    // Waiting for the application is not the client's time: the next wait arms the timer again.
    if (input.waiting()
        || phase == Phase.WRITE_BLOCKED
        || !greetingWaits.isEmpty() && !calls.pending()) {
      closeWith(Replies.IDLE_TIMEOUT);
    }
  }

  /** Called by the server when it shuts down gracefully. */
  void drain() {
    draining = true;
    if (intake.transaction() == null && !calls.pending()) {
      closeWith(Replies.SERVICE_SHUTTING_DOWN);
    }
  }

  /** Called by the server when the drain time is over: closes at once, also on a non-reader. */
  void forceClose() {
    closeWith(Replies.SERVICE_SHUTTING_DOWN, true);
  }

  void closeWith(Reply reply) {
    closeWith(reply, false);
  }

  /** Answers with {@code reply} and closes; {@code now} also when the client does not read. */
  private void closeWith(Reply reply, boolean now) {
    if (phase == Phase.CLOSED) {
      if (now) {
        ctx().close();
      }
      return;
    }
    boolean handshaking = phase == Phase.TLS_HANDSHAKE;
    phase = Phase.CLOSED;
    input.stop();
    timers.cancelIdle();
    if (handshaking) {
      // No reply can be sent in the middle of a handshake; its end is ours, not a TLS failure.
      ctx().close();
    } else {
      out.writeLastAndClose(reply, now);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf content) {
      intake.onContent(content);
    } else if (msg instanceof SmtpInput.CommandLine line) {
      onLine(line.text());
    } else if (msg instanceof SmtpInput.BadCommandLine bad) {
      out.badLine();
      answer(bad.reply(), auth.onBadLine() ? Verb.AUTH : Verb.INVALID);
    } else if (msg instanceof SmtpInput.Drained) {
      out.flush();
    } else if (msg instanceof SmtpInput.EarlyInput) {
      closeWith(Replies.EARLY_TALKER);
    } else if (msg instanceof SmtpInput content) {
      intake.onContentEvent(content);
    } else {
      ctx.fireChannelRead(msg);
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
    if (calls.hooks(text, command)) {
      calls.command(info, text, command, this::dispatch);
    } else {
      dispatch(command);
    }
  }

  /**
   * Answers a command: a line that did not parse gets its reply, every other command passes the
   * {@link CommandGate} and then the one switch over its verb.
   */
  private void dispatch(Command command) {
    Verb verb = command.kind();
    if (command instanceof Command.Invalid invalid) {
      answer(invalid.reply(), verb);
      return;
    }
    Transaction t = intake.transaction();
    Reply refused = gate.refusal(verb, info, t, authThrottled);
    if (refused != null) {
      if (verb == Verb.BDAT) {
        intake.readChunk((Command.Bdat) command, refused); // the chunk is read and dropped
      } else {
        answer(refused, verb);
      }
      return;
    }
    // The gate has made sure that t is a transaction for RCPT, DATA and BDAT.
    switch (verb) {
      case HELO, EHLO, LHLO -> hello.hello((Command.Hello) command);
      case MAIL -> envelope.mailFrom((Command.MailFrom) command);
      case RCPT -> envelope.rcptTo((Command.RcptTo) command, requireNonNull(t));
      case DATA -> intake.data(requireNonNull(t));
      case BDAT -> intake.bdat((Command.Bdat) command, requireNonNull(t));
      case RSET -> {
        intake.reset();
        calls.notifyReset(info);
        answer(Replies.OK, verb);
      }
      case NOOP -> answer(Replies.OK, verb);
      case QUIT -> {
        calls.notifyQuit(info);
        out.count(Replies.BYE, verb);
        closeWith(Replies.BYE);
      }
      case VRFY -> envelope.verify((Command.Vrfy) command);
      case EXPN -> answer(Replies.EXPN_NOT_IMPLEMENTED, verb);
      case HELP -> answer(Replies.HELP, verb);
      case STARTTLS -> startTls.start();
      case AUTH -> auth.start((Command.Auth) command);
      case XCLIENT -> xclient.xclient((Command.Xclient) command);
      case UNKNOWN, INVALID -> answer(Replies.COMMAND_UNRECOGNIZED, verb);
    }
  }

  private void answer(Reply reply, Verb verb) {
    out.write(reply, verb);
    next();
  }

  // ---------------------------------------------------------------- TLS

  /** STARTTLS was answered: the handshake begins. */
  void tlsHandshaking() {
    phase = Phase.TLS_HANDSHAKE;
  }

  private void onHandshake(SslHandshakeCompletionEvent event) {
    if (phase == Phase.TLS_HANDSHAKE) {
      phase = greetingWaits.contains(GreetingWait.TLS) ? Phase.GREETING : Phase.COMMANDS;
      startTls.handshakeDone(event);
    }
  }

  /** The TLS handshake failed: the connection closes without a reply. */
  void tlsFailed() {
    phase = Phase.CLOSED;
    input.stop();
    ctx().close();
  }

  /** The application accepted the TLS session: the greeting goes out, or the next command. */
  void tlsAccepted() {
    if (greetingWaits.contains(GreetingWait.TLS)) {
      greetingReady(GreetingWait.TLS);
    } else {
      next();
    }
  }
}
