package io.smtpprotocol.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * The core's structure, checked on every build: its packages form no cycle, it knows nothing of
 * Spring, and every package shows only its declared API (a public type added without being declared
 * here fails the build).
 */
@AnalyzeClasses(packages = "io.smtpprotocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTests {

  /**
   * The public types of the packages whose other types are the engine's internals. A new public
   * type there fails the build until it is added here on purpose (and documented as API).
   */
  static final Set<String> SERVER_API =
      Set.of(
          "io.smtpprotocol.server.SmtpServer",
          "io.smtpprotocol.server.SmtpServerBuilder",
          "io.smtpprotocol.server.Limits",
          "io.smtpprotocol.server.ServerConfig",
          "io.smtpprotocol.server.SmtpServerException",
          "io.smtpprotocol.server.SmtpServerObserver",
          "io.smtpprotocol.server.Transport");

  static final Set<String> CLIENT_API =
      Set.of(
          "io.smtpprotocol.client.Credentials",
          "io.smtpprotocol.client.MailEnvelope",
          "io.smtpprotocol.client.MessageContent",
          "io.smtpprotocol.client.ReplyObserver",
          "io.smtpprotocol.client.SendResult",
          "io.smtpprotocol.client.ServerCertificateCheck",
          "io.smtpprotocol.client.SmtpClient",
          "io.smtpprotocol.client.SmtpClientException",
          "io.smtpprotocol.client.SmtpClientPool",
          "io.smtpprotocol.client.SmtpConnection",
          "io.smtpprotocol.client.SmtpConnectionException",
          "io.smtpprotocol.client.SmtpReplyException",
          "io.smtpprotocol.client.TlsPolicy");

  /**
   * AUTH: what an application implements or reads (the authenticator and its results, stored SCRAM
   * credentials, the settings a server was built with), the server-side mechanism SPI it may
   * implement, and the client-side exchange it may drive by itself. The mechanisms are internal.
   */
  static final Set<String> AUTH_API =
      Set.of(
          "io.smtpprotocol.auth.Authenticator",
          "io.smtpprotocol.auth.AuthResult",
          "io.smtpprotocol.auth.AuthSettings",
          "io.smtpprotocol.auth.SaslClientExchange",
          "io.smtpprotocol.auth.SaslExchange",
          "io.smtpprotocol.auth.SaslMechanism",
          "io.smtpprotocol.auth.SaslStep",
          "io.smtpprotocol.auth.ScramCredential");

  static final Set<String> TLS_API =
      Set.of(
          "io.smtpprotocol.tls.SslContexts",
          "io.smtpprotocol.tls.TlsInfo",
          "io.smtpprotocol.tls.TlsMode",
          "io.smtpprotocol.tls.TlsSettings");

  /**
   * The wire vocabulary both sides share, public on purpose: an application or a test parses and
   * builds commands, replies, paths and parameters with it.
   */
  static final Set<String> PROTOCOL_API =
      Set.of(
          "io.smtpprotocol.protocol.Command",
          "io.smtpprotocol.protocol.CommandParser",
          "io.smtpprotocol.protocol.DsnNotify",
          "io.smtpprotocol.protocol.DsnReturn",
          "io.smtpprotocol.protocol.EnhancedStatus",
          "io.smtpprotocol.protocol.Extensions",
          "io.smtpprotocol.protocol.MailParameters",
          "io.smtpprotocol.protocol.Mailbox",
          "io.smtpprotocol.protocol.Replies",
          "io.smtpprotocol.protocol.Reply",
          "io.smtpprotocol.protocol.ReplyParser",
          "io.smtpprotocol.protocol.ReversePath",
          "io.smtpprotocol.protocol.Verb");

  static final Set<String> HANDLER_API =
      Set.of(
          "io.smtpprotocol.handler.Decision",
          "io.smtpprotocol.handler.Envelope",
          "io.smtpprotocol.handler.MessageAbortedException",
          "io.smtpprotocol.handler.MessageBody",
          "io.smtpprotocol.handler.Recipient",
          "io.smtpprotocol.handler.SessionInfo",
          "io.smtpprotocol.handler.SmtpHandler",
          "io.smtpprotocol.handler.SmtpRejectException");

  @ArchTest
  static final ArchRule packagesFormNoCycle =
      slices().matching("io.smtpprotocol.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule coreKnowsNothingOfSpring =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..")
          .because("the core is a plain Netty library; Spring lives in the starter");

  @ArchTest
  static final ArchRule serverShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.server", SERVER_API);

  @ArchTest
  static final ArchRule clientShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.client", CLIENT_API);

  @ArchTest
  static final ArchRule authShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.auth", AUTH_API);

  @ArchTest
  static final ArchRule tlsShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.tls", TLS_API);

  @ArchTest
  static final ArchRule protocolShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.protocol", PROTOCOL_API);

  @ArchTest
  static final ArchRule handlerShowsOnlyItsApi =
      onlyDeclaredApiIsPublic("io.smtpprotocol.handler", HANDLER_API);

  @ArchTest
  static final ArchRule everyPackageIsChecked =
      classes()
          .that()
          .resideInAPackage("io.smtpprotocol..")
          .should()
          .resideInAnyPackage(
              "io.smtpprotocol.protocol",
              "io.smtpprotocol.handler",
              "io.smtpprotocol.tls",
              "io.smtpprotocol.auth",
              "io.smtpprotocol.server",
              "io.smtpprotocol.client")
          .because("a new package declares its API here too");

  private static ArchRule onlyDeclaredApiIsPublic(String pkg, Set<String> api) {
    return classes()
        .that()
        .resideInAPackage(pkg)
        .and()
        .areNotNestedClasses()
        .and(notIn(api))
        .should()
        .notHaveModifier(JavaModifier.PUBLIC)
        .allowEmptyShould(true)
        .because("types in " + pkg + " other than its declared API are the engine's internals");
  }

  private static DescribedPredicate<JavaClass> notIn(Set<String> api) {
    return DescribedPredicate.describe(
        "are not declared API", c -> !api.contains(c.getName()) && !c.isAnonymousClass());
  }
}
