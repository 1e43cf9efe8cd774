package io.smtpprotocol.test.spring;

import io.smtpprotocol.tls.TlsMode;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts an {@link io.smtpprotocol.test.SmtpTestServer} for the test's application context and
 * points Spring Boot's mail sender at it, so that a {@code JavaMailSender} test needs this one
 * annotation:
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureSmtpTestServer
 * class WelcomeMailTests {
 *   @Autowired SmtpTestServer smtp;
 *   @Autowired WelcomeMailer mailer;
 *
 *   @Test
 *   void sendsWelcomeMail() throws Exception {
 *     mailer.sendWelcome("ann@example.com");
 *     assertThat(smtp.takeMessage(Duration.ofSeconds(5)).subject()).isEqualTo("Welcome");
 *   }
 * }
 * }</pre>
 *
 * <p>The server is a bean of the context and stops when the context closes. Properties set, ahead
 * of the application's own:
 *
 * <ul>
 *   <li>{@code spring.mail.host} and {@code spring.mail.port}: the server's address;
 *   <li>{@code spring.ssl.bundle.pem.smtp-test-server.truststore.certificate}: the root that issued
 *       the server's certificate, so that {@code spring.mail.ssl.bundle=smtp-test-server} makes the
 *       sender trust it;
 *   <li>with {@link TlsMode#IMPLICIT}, also {@code spring.mail.ssl.enabled=true} and {@code
 *       spring.mail.ssl.bundle=smtp-test-server};
 *   <li>with {@link #users()}, {@code spring.mail.username} and {@code spring.mail.password} of the
 *       first user;
 *   <li>for the project's own client ({@code smtp-spring-boot-starter}): {@code smtp.client.host},
 *       {@code smtp.client.port}, {@code smtp.client.ssl.bundle=smtp-test-server}, {@code
 *       smtp.client.ssl.mode} after {@link #tls()}, and with {@link #users()} {@code
 *       smtp.client.username} and {@code smtp.client.password}.
 * </ul>
 *
 * <p>The server is reset (messages and scripts) before each test method. Test classes with the same
 * annotation values and otherwise the same configuration share the cached context and so the
 * server; run them in the same thread, or give them different values.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureSmtpTestServer {

  /** How the server offers TLS (default STARTTLS, which plaintext senders simply do not use). */
  TlsMode tls() default TlsMode.STARTTLS;

  /** Users AUTH accepts, each as {@code name:password}. */
  String[] users() default {};

  /** Whether MAIL is refused before AUTH. */
  boolean authRequired() default false;

  /** The most messages kept before further ones are refused with {@code 452}. */
  int maxMessages() default 1000;
}
