// Runs every CppUnit suite registered in the executable; exit 0 only if all pass.
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <iostream>

int main(int argc, char** argv)
{
	CppUnit::TestResult controller;
	CppUnit::TestResultCollector result;
	controller.addListener(&result);
	CppUnit::BriefTestProgressListener progress;
	controller.addListener(&progress);

	CppUnit::TestRunner runner;
	runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
	// An optional argument names one test ("Suite::test") or suite to run.
	runner.run(controller, argc > 1 ? argv[1] : "");

	CppUnit::CompilerOutputter(&result, std::cerr).write();
	return result.wasSuccessful() ? 0 : 1;
}
