import Foundation
import RemoteHelper

exit(RemoteHelperMain.run(arguments: Array(CommandLine.arguments.dropFirst())))
