"""The ranking spec's properties as code: model laws (RK-LAW-*), attack goals and witnesses (RK-SEC-*)."""
