import WorkspaceCLI

GitWorkspace.main()
