internal import CGit2
