package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTests {

  static Stream<Arguments> everyVerb() {
    return Stream.of(
        arguments("HELO client.example", new Command.Helo("client.example")),
        arguments("EHLO client.example", new Command.Ehlo("client.example")),
        arguments("EHLO [192.0.2.1]", new Command.Ehlo("[192.0.2.1]")),
        arguments("LHLO client.example", new Command.Lhlo("client.example")),
        arguments(
            "MAIL FROM:<a@example.com>",
            new Command.MailFrom(
                ReversePath.of(new Mailbox("a", "example.com")), MailParameters.EMPTY)),
        arguments(
            "RCPT TO:<b@example.com>",
            new Command.RcptTo(new Mailbox("b", "example.com"), MailParameters.EMPTY)),
        arguments("DATA", new Command.Data()),
        arguments("BDAT 10", new Command.Bdat(10, false)),
        arguments("BDAT 0 LAST", new Command.Bdat(0, true)),
        arguments("RSET", new Command.Rset()),
        arguments("NOOP", new Command.Noop("")),
        arguments("NOOP anything at all", new Command.Noop("anything at all")),
        arguments("QUIT", new Command.Quit()),
        arguments("VRFY someone", new Command.Vrfy("someone")),
        arguments("EXPN list", new Command.Expn("list")),
        arguments("HELP", new Command.Help("")),
        arguments("HELP MAIL", new Command.Help("MAIL")),
        arguments("STARTTLS", new Command.StartTls()),
        arguments("AUTH PLAIN", new Command.Auth("PLAIN", null)),
        arguments(
            "AUTH plain AGFsaWNlAHNlY3JldA==", new Command.Auth("PLAIN", "AGFsaWNlAHNlY3JldA==")),
        arguments("XCLIENT NAME=x", new Command.Xclient(Map.of("NAME", "x"))),
        arguments("XYZZY NAME=x", new Command.Unknown("XYZZY", "NAME=x")));
  }

  @ParameterizedTest
  @MethodSource
  void everyVerb(String line, Command expected) {
    assertThat(CommandParser.parse(line)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "noop",
        "Noop",
        "nOoP",
        "data",
        "rset",
        "quit",
        "ehlo x",
        "helo x",
        "mail from:<a@b.example>",
        "MaIl FrOm:<a@b.example>",
        "rcpt to:<a@b.example>",
        "bdat 1 last",
        "vrfy x",
        "help"
      })
  void verbsAndKeywordsAreCaseInsensitive(String line) {
    Command lower = CommandParser.parse(line);
    Command upper = CommandParser.parse(line.toUpperCase(java.util.Locale.ROOT));
    assertThat(lower).isNotInstanceOfAny(Command.Invalid.class, Command.Unknown.class);
    assertThat(lower.getClass()).isEqualTo(upper.getClass());
    assertThat(lower.verb()).isEqualTo(upper.verb()).isUpperCase();
  }

  @Test
  void unknownVerbsAreUpperCasedAndKeepTheirArgument() {
    assertThat(CommandParser.parse("xyzzy Plugh")).isEqualTo(new Command.Unknown("XYZZY", "Plugh"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", " NOOP", "\u00e9t\u00e9 x"})
  void emptyOrOddVerbsAreUnknown(String line) {
    assertThat(CommandParser.parse(line)).isInstanceOf(Command.Unknown.class);
  }

  @Test
  void overlongVerbIsUnknownWithoutEchoingIt() {
    Command c = CommandParser.parse("X".repeat(200) + " arg");
    assertThat(c).isEqualTo(new Command.Unknown("", "arg"));
  }

  // ------------------------------------------------------------ syntax errors

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        arguments("HELO", Replies.HELO_REQUIRES_DOMAIN),
        arguments("HELO   ", Replies.HELO_REQUIRES_DOMAIN),
        arguments("EHLO", Replies.EHLO_REQUIRES_DOMAIN),
        arguments("EHLO two words", Replies.EHLO_REQUIRES_DOMAIN),
        arguments("DATA now", Replies.NO_ARGUMENTS_ALLOWED),
        arguments("RSET all", Replies.NO_ARGUMENTS_ALLOWED),
        arguments("QUIT now", Replies.NO_ARGUMENTS_ALLOWED),
        arguments("STARTTLS please", Replies.NO_ARGUMENTS_ALLOWED),
        arguments("VRFY", Replies.SYNTAX_ERROR),
        arguments("VRFY  ", Replies.SYNTAX_ERROR),
        arguments("EXPN", Replies.SYNTAX_ERROR),
        arguments("AUTH", Replies.SYNTAX_ERROR),
        arguments("AUTH PLAIN a b", Replies.SYNTAX_ERROR),
        // RFC 5321 4.1.2: the angle brackets are required
        arguments("MAIL FROM:a@example.com", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM", Replies.MAIL_SYNTAX),
        arguments("MAIL", Replies.MAIL_SYNTAX),
        arguments("MAIL TO:<a@example.com>", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:\"a\"@example.com", Replies.MAIL_SYNTAX),
        arguments("RCPT TO:b@example.com", Replies.RCPT_SYNTAX),
        arguments("RCPT TO:", Replies.RCPT_SYNTAX),
        arguments("RCPT FROM:<b@example.com>", Replies.RCPT_SYNTAX),
        arguments("RCPT", Replies.RCPT_SYNTAX),
        // text straight after the closing bracket
        arguments("MAIL FROM:<a@example.com>SIZE=10", Replies.MAIL_SYNTAX),
        arguments("RCPT TO:<b@example.com>x", Replies.RCPT_SYNTAX),
        // bad parameters
        arguments("MAIL FROM:<a@example.com> SIZE=1 SIZE=2", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> SIZE=1 size=2", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> SIZE=", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> =10", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> -X=1", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> SI_ZE=1", Replies.MAIL_SYNTAX),
        arguments("MAIL FROM:<a@example.com> SIZE=1=2", Replies.MAIL_SYNTAX),
        arguments("RCPT TO:<b@example.com> NOTIFY=NEVER NOTIFY=NEVER", Replies.RCPT_SYNTAX),
        // bad addresses inside the brackets
        arguments("MAIL FROM:<a b@example.com>", Replies.BAD_SENDER_ADDRESS),
        arguments("MAIL FROM:<Postmaster>", Replies.BAD_SENDER_ADDRESS),
        arguments("MAIL FROM:<a@example.com", Replies.BAD_SENDER_ADDRESS),
        arguments("RCPT TO:<>", Replies.BAD_RECIPIENT_ADDRESS),
        arguments("RCPT TO:<b@>", Replies.BAD_RECIPIENT_ADDRESS),
        // BDAT
        arguments("BDAT", Replies.BDAT_SYNTAX),
        arguments("BDAT x", Replies.BDAT_SYNTAX),
        arguments("BDAT -1", Replies.BDAT_SYNTAX),
        arguments("BDAT +1", Replies.BDAT_SYNTAX),
        arguments("BDAT 1.5", Replies.BDAT_SYNTAX),
        arguments("BDAT 1 2", Replies.BDAT_SYNTAX),
        arguments("BDAT 1 LAST now", Replies.BDAT_SYNTAX),
        arguments("BDAT 1 FIRST", Replies.BDAT_SYNTAX),
        arguments("BDAT 1234567890123456789", Replies.BDAT_SYNTAX),
        arguments("BDAT \u0661\u0662", Replies.BDAT_SYNTAX));
  }

  @ParameterizedTest
  @MethodSource
  void syntaxErrors(String line, Reply expected) {
    Command c = CommandParser.parse(line);
    assertThat(c).isInstanceOf(Command.Invalid.class);
    assertThat(((Command.Invalid) c).reply()).isEqualTo(expected);
    assertThat(c.verb()).isEqualTo(line.split(" ", 2)[0]);
  }

  @Test
  void syntaxRepliesAre501WithEnhancedCodes() {
    assertThat(Replies.MAIL_SYNTAX.toWire()).startsWith("501 5.5.4 ");
    assertThat(Replies.RCPT_SYNTAX.toWire()).startsWith("501 5.5.4 ");
    assertThat(Replies.BAD_SENDER_ADDRESS.toWire()).startsWith("501 5.1.7 ");
    assertThat(Replies.BAD_RECIPIENT_ADDRESS.toWire()).startsWith("501 5.1.3 ");
  }

  // ------------------------------------------------------------ control characters

  @ParameterizedTest
  @ValueSource(
      strings = {
        "NOOP\u0000",
        "MAIL FROM:<a\u0000@example.com>",
        "RCPT TO:<b@example.com>\u0000",
        "HELO x\u0001",
        "EHLO a\tb",
        "VRFY a\u007fb",
        "XYZZY \u001b[31m",
        "DATA\r",
        "RSET\n",
        "\u0000"
      })
  void controlCharactersAreInvalid(String line) {
    Command c = CommandParser.parse(line);
    assertThat(c).isInstanceOf(Command.Invalid.class);
    assertThat(((Command.Invalid) c).reply()).isEqualTo(Replies.CONTROL_CHARACTER);
    assertThat(((Command.Invalid) c).reply().code()).isEqualTo(500);
    assertThat(c.verb()).doesNotContainPattern("[\\x00-\\x20\\x7f]");
  }

  // ------------------------------------------------------------ paths (RFC 5321 4.1.2)

  static Stream<Arguments> reversePaths() {
    return Stream.of(
        arguments("<>", null),
        arguments("<a@example.com>", "a@example.com"),
        arguments("<first.last@sub.example.com>", "first.last@sub.example.com"),
        arguments("<A+tag@Example.COM>", "A+tag@Example.COM"),
        arguments("<!#$%&'*+-/=?^_`{|}~@example.com>", "!#$%&'*+-/=?^_`{|}~@example.com"),
        arguments("<\"john doe\"@example.com>", "\"john doe\"@example.com"),
        arguments("<\"a\\\"b\"@example.com>", "\"a\\\"b\"@example.com"),
        arguments("<\"a@b\"@example.com>", "\"a@b\"@example.com"),
        arguments("<\"\"@example.com>", "\"\"@example.com"),
        arguments("<user@[192.0.2.1]>", "user@[192.0.2.1]"),
        arguments("<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]"),
        arguments("<user@[IPv6:::1]>", "user@[IPv6:::1]"),
        arguments("<user@[IPv6:::ffff:192.0.2.1]>", "user@[IPv6:::ffff:192.0.2.1]"),
        arguments("<user@[IPv6:1:2:3:4:5:6:7:8]>", "user@[IPv6:1:2:3:4:5:6:7:8]"),
        arguments("<user@[IPv6:1:2:3:4:5:6:192.0.2.1]>", "user@[IPv6:1:2:3:4:5:6:192.0.2.1]"),
        arguments("<user@[IPv6:1::]>", "user@[IPv6:1::]"),
        arguments("<user@[x-tag:some-content]>", "user@[x-tag:some-content]"),
        arguments("<user@[-tag:x]>", "user@[-tag:x]"),
        arguments("<@relay.example:user@example.com>", "user@example.com"),
        arguments("<@a.example,@b.example:user@example.com>", "user@example.com"),
        arguments("<@[192.0.2.1]:user@example.com>", "user@example.com"),
        arguments("<j\u00f6rg@b\u00fccher.example>", "j\u00f6rg@b\u00fccher.example"),
        arguments(
            "<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a"),
        arguments("<a@1.example>", "a@1.example"),
        arguments("<a@x-y.example>", "a@x-y.example"));
  }

  @ParameterizedTest
  @MethodSource
  void reversePaths(String path, String address) {
    Command c = CommandParser.parse("MAIL FROM:" + path);
    assertThat(c).isInstanceOf(Command.MailFrom.class);
    ReversePath from = ((Command.MailFrom) c).from();
    if (address == null) {
      assertThat(from).isEqualTo(ReversePath.NULL);
      assertThat(from.isNull()).isTrue();
    } else {
      assertThat(from.address()).isEqualTo(address);
    }
  }

  @ParameterizedTest
  @MethodSource("reversePaths")
  void forwardPathsAcceptTheSameSyntaxExceptTheNullPath(String path, String address) {
    Command c = CommandParser.parse("RCPT TO:" + path);
    if (address == null) {
      assertThat(c).isInstanceOf(Command.Invalid.class);
    } else {
      assertThat(c).isInstanceOf(Command.RcptTo.class);
      assertThat(((Command.RcptTo) c).to().address()).isEqualTo(address);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"<Postmaster>", "<postmaster>", "<POSTMASTER>"})
  void barePostmasterIsAcceptedAsRecipient(String path) {
    Command c = CommandParser.parse("RCPT TO:" + path);
    assertThat(c).isInstanceOf(Command.RcptTo.class);
    Mailbox to = ((Command.RcptTo) c).to();
    assertThat(to.localPart()).isEqualToIgnoringCase("postmaster");
    assertThat(to.domain()).isEmpty();
  }

  @Test
  void spaceAfterTheColonIsTolerated() {
    assertThat(CommandParser.parse("MAIL FROM: <a@example.com>"))
        .isInstanceOf(Command.MailFrom.class);
    assertThat(CommandParser.parse("RCPT TO: <b@example.com>")).isInstanceOf(Command.RcptTo.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<a@>",
        "<@example.com>",
        "<a>",
        "<a@example.com@example.com>",
        "<.a@example.com>",
        "<a.@example.com>",
        "<a..b@example.com>",
        "<a@.example.com>",
        "<a@example..com>",
        "<a@example.com.>",
        "<a@-example.com>",
        "<a@example-.com>",
        "<a@exa_mple.com>",
        "<a@[192.0.2.256]>",
        "<a@[192.0.2]>",
        "<a@[192.0.2.1.5]>",
        "<a@[1a.0.2.1]>",
        "<a@[]>",
        "<a@[IPv6:]>",
        "<a@[IPv6:2001:db8::g]>",
        "<a@[tag:]>",
        "<a@[tag-:x]>",
        "<a@[IPv6:1:2:3]>",
        "<a@[IPv6:1::2::3]>",
        "<a@[IPv6:12345::1]>",
        "<a@[IPv6:1:2:3:4:5:6:7:8:9]>",
        "<a@[IPv6:::1.2.3]>",
        "<a@[IPv6:::::]>",
        "<a@[tag:a b]>",
        "<a@[192.0.2.1>",
        "<\"unterminated@example.com>",
        "<@relay.example user@example.com>",
        "<@relay.example,user@example.com>",
        "<@:user@example.com>",
        "<a b@example.com>",
        "<a@exa mple.com>",
        "<a(comment)@example.com>"
      })
  void malformedPathsAreRefusedWith501(String path) {
    Command mail = CommandParser.parse("MAIL FROM:" + path);
    Command rcpt = CommandParser.parse("RCPT TO:" + path);
    assertThat(mail).isInstanceOf(Command.Invalid.class);
    assertThat(rcpt).isInstanceOf(Command.Invalid.class);
    assertThat(((Command.Invalid) mail).reply().code()).isEqualTo(501);
    assertThat(((Command.Invalid) rcpt).reply().code()).isEqualTo(501);
  }

  @Test
  void domainOfMoreThan255OctetsIsRefused() {
    String label = "a".repeat(63);
    String domain = String.join(".", label, label, label, label); // 255 octets
    assertThat(CommandParser.parse("RCPT TO:<x@" + domain + ">"))
        .isInstanceOf(Command.RcptTo.class);
    assertThat(CommandParser.parse("RCPT TO:<x@" + domain + "a>"))
        .isInstanceOf(Command.Invalid.class);
  }

  // ------------------------------------------------------------ ESMTP parameters

  static Stream<Arguments> parameters() {
    return Stream.of(
        arguments("", Map.of()),
        arguments(" ", Map.of()),
        arguments(" SIZE=1000", Map.of("SIZE", "1000")),
        arguments(" size=1000", Map.of("SIZE", "1000")),
        arguments(" SIZE=1000 BODY=8BITMIME", Map.of("SIZE", "1000", "BODY", "8BITMIME")),
        arguments(" SMTPUTF8", Map.of("SMTPUTF8", "")),
        arguments("  SIZE=1   BODY=7BIT  ", Map.of("SIZE", "1", "BODY", "7BIT")),
        arguments(" AUTH=<>", Map.of("AUTH", "<>")),
        arguments(" X-VENDOR=v\u00e4lue", Map.of("X-VENDOR", "v\u00e4lue")));
  }

  @ParameterizedTest
  @MethodSource
  void parameters(String text, Map<String, String> expected) {
    Command c = CommandParser.parse("MAIL FROM:<a@example.com>" + text);
    assertThat(c).isInstanceOf(Command.MailFrom.class);
    assertThat(((Command.MailFrom) c).parameters().values()).isEqualTo(expected);
    Command r = CommandParser.parse("RCPT TO:<b@example.com>" + text);
    assertThat(r).isInstanceOf(Command.RcptTo.class);
    assertThat(((Command.RcptTo) r).parameters().values()).isEqualTo(expected);
  }

  @Test
  void parametersKeepTheirOrder() {
    Command c = CommandParser.parse("MAIL FROM:<> BODY=8BITMIME SMTPUTF8 SIZE=5");
    assertThat(((Command.MailFrom) c).parameters().values().keySet())
        .containsExactly("BODY", "SMTPUTF8", "SIZE");
  }

  @Test
  void parametersAfterAQuotedLocalPartWithSpacesAreFound() {
    Command c = CommandParser.parse("MAIL FROM:<\"a b > c\"@example.com> SIZE=5");
    assertThat(c).isInstanceOf(Command.MailFrom.class);
    Command.MailFrom mail = (Command.MailFrom) c;
    assertThat(mail.from().address()).isEqualTo("\"a b > c\"@example.com");
    assertThat(mail.parameters().size()).hasValue(5);
  }

  // ------------------------------------------------------------ BDAT

  static Stream<Arguments> bdat() {
    return Stream.of(
        arguments("BDAT 0", 0L, false),
        arguments("BDAT 0 LAST", 0L, true),
        arguments("bdat 42 last", 42L, true),
        arguments("BDAT  7   LAST ", 7L, true),
        arguments("BDAT 000012", 12L, false),
        arguments("BDAT 999999999999999999", 999_999_999_999_999_999L, false));
  }

  @ParameterizedTest
  @MethodSource
  void bdat(String line, long size, boolean last) {
    assertThat(CommandParser.parse(line)).isEqualTo(new Command.Bdat(size, last));
  }

  // ------------------------------------------------------------ XCLIENT (Postfix)

  static Stream<Arguments> xclient() {
    return Stream.of(
        arguments(
            "XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2",
            Map.of("NAME", "spike.porcupine.org", "ADDR", "168.100.189.2")),
        arguments("xclient name=[unavailable]", Map.of("NAME", "[UNAVAILABLE]")),
        arguments("XCLIENT NAME=[TempUnavail]", Map.of("NAME", "[TEMPUNAVAIL]")),
        arguments("XCLIENT ADDR=IPV6:2001:db8::1", Map.of("ADDR", "IPV6:2001:db8::1")),
        arguments("XCLIENT ADDR=ipv6:::ffff:192.0.2.1", Map.of("ADDR", "ipv6:::ffff:192.0.2.1")),
        arguments("XCLIENT ADDR=0.0.0.0 PORT=0", Map.of("ADDR", "0.0.0.0", "PORT", "0")),
        arguments(
            "XCLIENT PORT=65535 DESTADDR=192.0.2.25 DESTPORT=25",
            Map.of("PORT", "65535", "DESTADDR", "192.0.2.25", "DESTPORT", "25")),
        arguments(
            "XCLIENT  PROTO=esmtp   HELO=[192.0.2.1] ",
            Map.of("PROTO", "ESMTP", "HELO", "[192.0.2.1]")),
        arguments("XCLIENT HELO=[Unavailable]", Map.of("HELO", "[UNAVAILABLE]")),
        arguments("XCLIENT LOGIN=a+2Bb+20c", Map.of("LOGIN", "a+b c")),
        arguments("XCLIENT LOGIN=j+C3+BCrgen", Map.of("LOGIN", "j\u00fcrgen")),
        arguments("XCLIENT NAME=mail_1.example", Map.of("NAME", "mail_1.example")));
  }

  @ParameterizedTest
  @MethodSource
  void xclient(String line, Map<String, String> attributes) {
    assertThat(CommandParser.parse(line)).isEqualTo(new Command.Xclient(attributes));
  }

  @Test
  void xclientKeepsTheOrderSentAndTheLastOfARepeatedName() {
    Command c = CommandParser.parse("XCLIENT ADDR=192.0.2.1 PORT=1 ADDR=192.0.2.2");
    assertThat(((Command.Xclient) c).attributes())
        .containsExactly(Map.entry("PORT", "1"), Map.entry("ADDR", "192.0.2.2"));
  }

  static Stream<Arguments> xclientErrors() {
    return Stream.of(
        arguments("XCLIENT", Replies.XCLIENT_SYNTAX),
        arguments("XCLIENT NAME", Replies.XCLIENT_SYNTAX),
        arguments("XCLIENT NAME=", Replies.XCLIENT_SYNTAX),
        arguments("XCLIENT =x", Replies.XCLIENT_SYNTAX),
        arguments("XCLIENT XFORWARD=x", Replies.XCLIENT_BAD_ATTRIBUTE),
        arguments("XCLIENT NAME=x..example", bad("NAME")),
        arguments("XCLIENT NAME=example-.org", bad("NAME")),
        arguments("XCLIENT NAME=" + "a".repeat(64) + ".example", bad("NAME")),
        arguments("XCLIENT NAME=192.0.2.1", bad("NAME")),
        arguments("XCLIENT NAME=[UNKNOWN]", bad("NAME")),
        arguments("XCLIENT ADDR=192.0.2.01", bad("ADDR")),
        arguments("XCLIENT ADDR=[192.0.2.1]", bad("ADDR")),
        arguments("XCLIENT ADDR=IPv6:", bad("ADDR")),
        arguments("XCLIENT ADDR=::1", bad("ADDR")),
        arguments("XCLIENT DESTADDR=[TEMPUNAVAIL]", bad("DESTADDR")),
        arguments("XCLIENT PORT=", Replies.XCLIENT_SYNTAX),
        arguments("XCLIENT PORT=123456", bad("PORT")),
        arguments("XCLIENT DESTPORT=+", bad("DESTPORT")),
        arguments("XCLIENT PROTO=SMTPS", bad("PROTO")),
        arguments("XCLIENT HELO=a+09b", bad("HELO")),
        arguments("XCLIENT HELO=a+7Fb", bad("HELO")),
        arguments("XCLIENT LOGIN=a+00", bad("LOGIN")),
        arguments("XCLIENT LOGIN=a+FF", bad("LOGIN")),
        arguments("XCLIENT LOGIN=a+2b", bad("LOGIN")),
        arguments("XCLIENT LOGIN=" + "a".repeat(256), bad("LOGIN")));
  }

  private static Reply bad(String attribute) {
    return Reply.of(501, "5.5.4", "Bad " + attribute + " syntax");
  }

  @ParameterizedTest
  @MethodSource
  void xclientErrors(String line, Reply reply) {
    assertThat(CommandParser.parse(line)).isEqualTo(new Command.Invalid("XCLIENT", reply));
  }
}
