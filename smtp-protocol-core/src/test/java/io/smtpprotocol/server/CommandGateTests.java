package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.Recipient;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.tls.TlsInfo;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The precondition table of {@link CommandGate}: verb and session state in, refusal out. */
class CommandGateTests {

  /** What the session knows when a command arrives. */
  enum State {
    NEW,
    GREETED,
    IN_MAIL,
    WITH_RCPT,
    IN_BDAT,
    ENCRYPTED,
    AUTHENTICATED
  }

  private static final CommandGate PLAIN =
      new CommandGate(SmtpServer.builder().handler(new RecordingHandler()).build().config());
  private static final CommandGate NO_CHUNKING =
      new CommandGate(
          SmtpServer.builder().handler(new RecordingHandler()).chunking(false).build().config());
  private static final CommandGate INSECURE_AUTH_OFF =
      new CommandGate(
          SmtpServer.builder()
              .handler(new RecordingHandler())
              .tls(TlsMode.STARTTLS, () -> null)
              .authenticator(new TestAuthenticator())
              .build()
              .config());
  private static final CommandGate AUTH =
      new CommandGate(
          SmtpServer.builder()
              .handler(new RecordingHandler())
              .tls(TlsMode.STARTTLS, () -> null)
              .tlsRequired(true)
              .authenticator(new TestAuthenticator())
              .authRequired(true)
              .build()
              .config());

  /** Trusts the address the sessions of {@link #info} come from. */
  private static final CommandGate XCLIENT =
      new CommandGate(
          SmtpServer.builder()
              .handler(new RecordingHandler())
              .xclient(List.of("0.0.0.0"))
              .build()
              .config());

  static Stream<Arguments> plainServer() {
    return Stream.of(
        arguments(Verb.MAIL, State.NEW, Replies.NEED_HELO),
        arguments(Verb.MAIL, State.GREETED, null),
        arguments(Verb.MAIL, State.IN_MAIL, Replies.NESTED_MAIL),
        arguments(Verb.RCPT, State.NEW, Replies.NEED_HELO),
        arguments(Verb.RCPT, State.GREETED, Replies.NEED_MAIL),
        arguments(Verb.RCPT, State.IN_MAIL, null),
        arguments(Verb.DATA, State.NEW, Replies.NEED_HELO),
        arguments(Verb.DATA, State.GREETED, Replies.NEED_MAIL),
        arguments(Verb.DATA, State.IN_MAIL, Replies.NEED_RCPT),
        arguments(Verb.DATA, State.WITH_RCPT, null),
        arguments(Verb.DATA, State.IN_BDAT, Replies.DATA_AFTER_BDAT),
        arguments(Verb.BDAT, State.NEW, Replies.NEED_HELO),
        arguments(Verb.BDAT, State.GREETED, Replies.NEED_MAIL),
        arguments(Verb.BDAT, State.IN_MAIL, Replies.NEED_RCPT),
        arguments(Verb.BDAT, State.WITH_RCPT, null),
        arguments(Verb.BDAT, State.IN_BDAT, null),
        arguments(Verb.STARTTLS, State.GREETED, Replies.COMMAND_NOT_IMPLEMENTED),
        arguments(Verb.AUTH, State.GREETED, Replies.COMMAND_NOT_IMPLEMENTED),
        arguments(Verb.XCLIENT, State.GREETED, Replies.XCLIENT_NOT_AUTHORIZED));
  }

  @ParameterizedTest(name = "{0} when {1} -> {2}")
  @MethodSource("plainServer")
  void plainServerRefusesOutOfOrderCommands(Verb verb, State state, Reply expected) {
    assertThat(PLAIN.refusal(verb, info(state), transaction(state), () -> false))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void bdatWithoutChunkingIsNotImplementedInEveryState(State state) {
    assertThat(NO_CHUNKING.refusal(Verb.BDAT, info(state), transaction(state), () -> false))
        .isEqualTo(Replies.COMMAND_NOT_IMPLEMENTED);
  }

  @ParameterizedTest
  @EnumSource(
      value = Verb.class,
      names = {"HELO", "EHLO", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "UNKNOWN"})
  void commandsWithoutPreconditionsPassInEveryState(Verb verb) {
    for (State state : State.values()) {
      assertThat(PLAIN.refusal(verb, info(state), transaction(state), () -> false))
          .as("%s when %s", verb, state)
          .isNull();
    }
  }

  @Test
  void lhloIsTheOnlyHelloOfAnLmtpListenerAndNoneOfAnSmtpOne() {
    CommandGate lmtp =
        new CommandGate(
            SmtpServer.builder().handler(new RecordingHandler()).lmtp(true).build().config());
    for (State state : State.values()) {
      assertThat(PLAIN.refusal(Verb.LHLO, info(state), transaction(state), () -> false))
          .isEqualTo(Replies.COMMAND_UNRECOGNIZED);
      assertThat(lmtp.refusal(Verb.LHLO, info(state), transaction(state), () -> false)).isNull();
      assertThat(lmtp.refusal(Verb.HELO, info(state), transaction(state), () -> false))
          .isEqualTo(Replies.COMMAND_UNRECOGNIZED);
      assertThat(lmtp.refusal(Verb.EHLO, info(state), transaction(state), () -> false))
          .isEqualTo(Replies.COMMAND_UNRECOGNIZED);
    }
  }

  static Stream<Arguments> xclientFromATrustedClient() {
    return Stream.of(
        arguments(State.NEW, null),
        arguments(State.GREETED, null),
        arguments(State.IN_MAIL, Replies.XCLIENT_IN_TRANSACTION),
        arguments(State.WITH_RCPT, Replies.XCLIENT_IN_TRANSACTION),
        arguments(State.IN_BDAT, Replies.XCLIENT_IN_TRANSACTION),
        arguments(State.ENCRYPTED, null),
        arguments(State.AUTHENTICATED, null));
  }

  @ParameterizedTest(name = "XCLIENT when {0} -> {1}")
  @MethodSource
  void xclientFromATrustedClient(State state, Reply expected) {
    assertThat(XCLIENT.refusal(Verb.XCLIENT, info(state), transaction(state), () -> false))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void xclientFromAnUntrustedClientIsRefusedInEveryState(State state) {
    SessionInfo here = info(state);
    SessionInfo elsewhere =
        SessionInfos.namedByProxy(
            here,
            new InetSocketAddress("192.0.2.1", 25),
            here.localAddress(),
            here.clientName(),
            here.hello(),
            here.authenticatedUser());
    assertThat(XCLIENT.refusal(Verb.XCLIENT, elsewhere, transaction(state), () -> false))
        .isEqualTo(Replies.XCLIENT_NOT_AUTHORIZED);
    assertThat(PLAIN.refusal(Verb.XCLIENT, info(state), transaction(state), () -> false))
        .isEqualTo(Replies.XCLIENT_NOT_AUTHORIZED);
  }

  static Stream<Arguments> tlsAndAuthRequired() {
    return Stream.of(
        arguments(Verb.MAIL, State.GREETED, false, Replies.TLS_REQUIRED),
        arguments(Verb.MAIL, State.ENCRYPTED, false, Replies.AUTH_REQUIRED),
        arguments(Verb.MAIL, State.AUTHENTICATED, false, null),
        arguments(Verb.STARTTLS, State.GREETED, false, null),
        arguments(Verb.STARTTLS, State.ENCRYPTED, false, Replies.TLS_ALREADY_ACTIVE),
        arguments(Verb.AUTH, State.NEW, false, Replies.NEED_HELO),
        arguments(Verb.AUTH, State.GREETED, false, Replies.TLS_REQUIRED),
        arguments(Verb.AUTH, State.ENCRYPTED, false, null),
        arguments(Verb.AUTH, State.ENCRYPTED, true, Replies.AUTH_ADDRESS_THROTTLED),
        arguments(Verb.AUTH, State.AUTHENTICATED, false, Replies.ALREADY_AUTHENTICATED));
  }

  @ParameterizedTest(name = "{0} when {1} (throttled: {2}) -> {3}")
  @MethodSource("tlsAndAuthRequired")
  void tlsAndAuthComeFirstWhereRequired(Verb verb, State state, boolean throttled, Reply expected) {
    assertThat(AUTH.refusal(verb, info(state), transaction(state), () -> throttled))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"GREETED", "IN_MAIL"})
  void authOverPlaintextIsRefusedUnlessAllowed(State state) {
    assertThat(INSECURE_AUTH_OFF.refusal(Verb.AUTH, info(state), null, () -> false))
        .isEqualTo(Replies.AUTH_ENCRYPTION_REQUIRED);
  }

  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"IN_MAIL", "WITH_RCPT"})
  void authIsRefusedInsideATransaction(State state) {
    SessionInfo greeted = info(state);
    SessionInfo encrypted =
        SessionInfos.greeted(
            SessionInfos.encrypted(greeted, TLS), Objects.requireNonNull(greeted.hello()));
    assertThat(AUTH.refusal(Verb.AUTH, encrypted, transaction(state), () -> false))
        .isEqualTo(Replies.AUTH_IN_TRANSACTION);
  }

  @ParameterizedTest
  @EnumSource(Verb.class)
  void throttlingIsAskedOnlyForAuth(Verb verb) {
    boolean[] asked = new boolean[1];
    AUTH.refusal(verb, info(State.ENCRYPTED), null, () -> asked[0] = true);
    assertThat(asked[0]).isEqualTo(verb == Verb.AUTH);
  }

  private static final TlsInfo TLS =
      new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), null);

  private static SessionInfo info(State state) {
    InetSocketAddress none = new InetSocketAddress(0);
    SessionInfo info = new SessionInfo("1", none, none, Instant.EPOCH, null, null, null);
    if (state == State.NEW) {
      return info;
    }
    if (EnumSet.of(State.ENCRYPTED, State.AUTHENTICATED).contains(state)) {
      info = SessionInfos.encrypted(info, TLS);
    }
    info = SessionInfos.greeted(info, new Command.Ehlo("client.test"));
    return state == State.AUTHENTICATED ? SessionInfos.authenticated(info, "user") : info;
  }

  private static Transaction transaction(State state) {
    if (!EnumSet.of(State.IN_MAIL, State.WITH_RCPT, State.IN_BDAT).contains(state)) {
      return null;
    }
    Transaction t = new Transaction(Envelope.of(ReversePath.NULL, MailParameters.EMPTY));
    if (state != State.IN_MAIL) {
      t.envelope =
          t.envelope.withRecipient(
              new Recipient(new Mailbox("b", "mx.test"), MailParameters.EMPTY));
    }
    t.bdat = state == State.IN_BDAT;
    return t;
  }
}
