package io.smtpprotocol.spring.context;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port the SMTP server actually listens on, handy with {@code smtp.server.port=0} in
 * tests. A shortcut for {@code @Value("${local.smtp.server.port}")}:
 *
 * <pre>{@code
 * @SpringBootTest(properties = "smtp.server.port=0")
 * class InboundMailTests {
 *
 *   @LocalSmtpServerPort int port;
 * }
 * }</pre>
 */
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${" + SmtpServerLifecycle.PORT_PROPERTY + "}")
public @interface LocalSmtpServerPort {}
