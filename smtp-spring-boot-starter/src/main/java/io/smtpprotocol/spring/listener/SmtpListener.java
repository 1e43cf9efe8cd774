package io.smtpprotocol.spring.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that answers one {@link SmtpEvent} of the auto-configured SMTP server:
 *
 * <pre>{@code
 * @Component
 * class Inbound {
 *
 *   @SmtpListener(SmtpEvent.RCPT_TO)
 *   boolean recipient(Mailbox to) {
 *     return to.domainLowerCase().equals("example.com");
 *   }
 *
 *   @SmtpListener(SmtpEvent.MESSAGE)
 *   void message(Envelope envelope, InputStream body) throws IOException {
 *     store(envelope, body);
 *   }
 * }
 * }</pre>
 *
 * <p>Parameters are resolved by type; {@link SmtpEvent} lists the types each event offers. The
 * method may return:
 *
 * <ul>
 *   <li>{@link io.smtpprotocol.handler.Decision Decision}: the answer itself;
 *   <li>{@code boolean}: {@code true} accepts, {@code false} rejects with the event's default
 *       reply;
 *   <li>{@code void}: accepts unless the method throws;
 *   <li>a {@link java.util.concurrent.CompletionStage CompletionStage} of one of these, to answer
 *       later.
 * </ul>
 *
 * <p>Throwing (or completing the stage with) {@link io.smtpprotocol.handler.SmtpRejectException
 * SmtpRejectException} rejects with its reply; any other exception answers {@code 451 4.3.0} and is
 * logged, naming the method. {@link SmtpEvent#RESET RESET} and {@link SmtpEvent#QUIT QUIT}
 * listeners return {@code void}.
 *
 * <p>Several listeners of one event run one after another in {@link
 * org.springframework.core.annotation.Order @Order}; the first reject is the answer and the
 * listeners after it are not called. When all accept, the first reply a listener gave is sent (or
 * the event's default).
 *
 * <p>Methods run on the server's handler threads, never on its event loops, so they may block.
 * Signatures are checked when the application starts: a parameter the event cannot supply, an
 * unsupported return type, or two MESSAGE listeners that both want the body as a stream fail the
 * start-up, naming the bean and method.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SmtpListener {

  /** The event the method answers. */
  SmtpEvent value();
}
