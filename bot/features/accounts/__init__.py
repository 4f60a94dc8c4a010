"""Following and profiles: `/ig follow`, `/ig unfollow`, `/ig user`."""
