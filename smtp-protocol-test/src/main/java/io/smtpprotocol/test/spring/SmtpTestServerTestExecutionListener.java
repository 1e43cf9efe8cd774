package io.smtpprotocol.test.spring;

import io.smtpprotocol.test.SmtpTestServer;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Resets the context's test server before each test method, so that every test starts with no
 * messages and no script, also when the context (and its server) is cached and shared.
 */
final class SmtpTestServerTestExecutionListener extends AbstractTestExecutionListener {

  @Override
  public int getOrder() {
    // after dependency injection, before anything the test itself runs
    return 2100;
  }

  @Override
  public void beforeTestMethod(TestContext testContext) {
    if (TestContextAnnotationUtils.findMergedAnnotation(
            testContext.getTestClass(), AutoConfigureSmtpTestServer.class)
        == null) {
      return;
    }
    testContext
        .getApplicationContext()
        .getBeanProvider(SmtpTestServer.class)
        .ifAvailable(SmtpTestServer::reset);
  }
}
