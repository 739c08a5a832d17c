import CairnServer

CairnServerMain.run(CommandLine.arguments)
